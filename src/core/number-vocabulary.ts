/**
 * The inventory's shared words: what a number can be and which state it is in. The database
 * schema, the HTTP schemas, the lifecycle rules and the web's labels all read these lists.
 *
 * - toll_free and service: numbers Teams gives to resource accounts (auto attendants, call queues)
 *   and conference bridges, never to a user;
 * - extension_only: a 3CX extension reached only through a main number and its extension digits
 *   (no DID of its own), so its row always carries an extension.
 */
export const numberKinds = ['direct_routing', 'calling_plan', 'operator_connect', 'threecx_did', 'toll_free', 'service', 'extension_only'] as const;
export type NumberKind = (typeof numberKinds)[number];

/** The kinds a Teams user can be given (Graph numberAssignment numberType: directRouting, callingPlan, operatorConnect). */
export const teamsUserKinds = ['direct_routing', 'calling_plan', 'operator_connect'] as const satisfies readonly NumberKind[];

/** The kinds Teams holds, users' and service numbers alike: what the Teams reconcile compares. */
export const teamsKinds = [...teamsUserKinds, 'toll_free', 'service'] as const satisfies readonly NumberKind[];

export function isTeamsUserKind(kind: NumberKind): boolean {
  return (teamsUserKinds as readonly string[]).includes(kind);
}

/** The kinds a 3CX extension holds as the assignee (an imported or hand-assigned number defaults to a 3CX extension). */
export function isThreecxKind(kind: NumberKind): boolean {
  return kind === 'threecx_did' || kind === 'extension_only';
}

/** A kind in words, for messages ("toll-free", "3CX DID"). */
export function kindWords(kind: NumberKind): string {
  const words: Record<NumberKind, string> = { direct_routing: 'Direct Routing', calling_plan: 'Calling Plan', operator_connect: 'Operator Connect', threecx_did: '3CX DID', toll_free: 'toll-free', service: 'service', extension_only: 'extension-only' };
  return words[kind];
}

export const numberStatuses = ['available', 'reserved', 'assigned', 'cooling', 'blocked', 'retired'] as const;
export type NumberStatus = (typeof numberStatuses)[number];
