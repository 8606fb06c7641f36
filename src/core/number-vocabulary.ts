/**
 * The inventory's shared words: what a number can be and which state it is in. The database
 * schema, the HTTP schemas, the lifecycle rules and the web's labels all read these lists.
 */
export const numberKinds = ['direct_routing', 'calling_plan', 'operator_connect', 'threecx_did'] as const;
export type NumberKind = (typeof numberKinds)[number];

export const numberStatuses = ['available', 'reserved', 'assigned', 'cooling', 'blocked', 'retired'] as const;
export type NumberStatus = (typeof numberStatuses)[number];
