import type { AuditAction } from '../../core/audit-actions.ts';
import { and, desc, eq, inArray, like, or } from 'drizzle-orm';
import type { PbxUser, UserFields, VMEmailOption } from '../../connectors/threecx/schemas.ts';
import { ThreeCxError } from '../../connectors/threecx/errors.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import { parseNumber } from '../../core/phone-number.ts';
import type { Db } from '../../db/connection.ts';
import { auditEvents, phoneNumbers } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { changeNumberStatus, claimNumber, linkExtension, renameAssignee, unclaimNumber, unlinkExtension, type ClaimSnapshot } from '../numbers/number-store.ts';
import type { NumberRow } from '../numbers/number-view.ts';
import { assertThreeCxEnabled, threeCxApiFor } from './connection.ts';
import { loadActiveTenant, loadTenant, type TenantRow } from '../tenants/tenants.ts';
import type { TicketLogChoices } from '../kernel/ticket-work.ts';
import { checkThreeCxTicket, recordThreeCxWork, startTicketWork } from './ticket-work.ts';

/** An extension as UCR Manager shows it (E1), with the inventory DID it holds. */
export type ExtensionFields = {
  number: string;
  firstName: string;
  lastName: string;
  email: string;
  mobile: string;
  outboundCallerId: string;
  language: string;
  require2fa: boolean;
  sendEmailMissedCalls: boolean;
  voicemailEmail: VMEmailOption;
  enabled: boolean;
};
export type ExtensionView = ExtensionFields & { id: number; displayName: string; did: { numberId: string; e164: string } | null };

const toView = (u: PbxUser, did: { numberId: string; e164: string } | null): ExtensionView => ({
  id: u.Id,
  number: u.Number,
  displayName: u.DisplayName ?? `${u.FirstName ?? ''} ${u.LastName ?? ''}`.trim(),
  firstName: u.FirstName ?? '',
  lastName: u.LastName ?? '',
  email: u.EmailAddress ?? '',
  mobile: u.Mobile ?? '',
  outboundCallerId: u.OutboundCallerID ?? '',
  language: u.Language ?? '',
  require2fa: u.Require2FA ?? false,
  sendEmailMissedCalls: u.SendEmailMissedCalls ?? false,
  voicemailEmail: (u.VMEmailOptions ?? 'None') as ExtensionFields['voicemailEmail'],
  enabled: u.Enabled ?? true,
  did,
});

function toPbx(fields: Partial<ExtensionFields>): UserFields {
  const out: UserFields = {};
  if (fields.number !== undefined) out.Number = fields.number;
  if (fields.firstName !== undefined) out.FirstName = fields.firstName;
  if (fields.lastName !== undefined) out.LastName = fields.lastName;
  if (fields.email !== undefined) out.EmailAddress = fields.email;
  if (fields.mobile !== undefined) out.Mobile = fields.mobile;
  if (fields.outboundCallerId !== undefined) out.OutboundCallerID = fields.outboundCallerId;
  if (fields.language !== undefined) out.Language = fields.language;
  if (fields.require2fa !== undefined) out.Require2FA = fields.require2fa;
  if (fields.sendEmailMissedCalls !== undefined) out.SendEmailMissedCalls = fields.sendEmailMissedCalls;
  if (fields.voicemailEmail !== undefined) out.VMEmailOptions = fields.voicemailEmail;
  if (fields.enabled !== undefined) out.Enabled = fields.enabled;
  return out;
}

/** The fields of an extension an audit event keeps, so a change can be shown and reverted. */
const snapshot = (v: ExtensionView) => ({ ...v });
const editable = (v: ExtensionView): ExtensionFields => {
  const { id: _id, displayName: _d, did: _did, ...fields } = v;
  return fields;
};

type HeldDid = { numberId: string; e164: string; sharedWithTeamsUser?: string };

/** The inventory DID of each extension: one it holds alone, or one it shares with the same person's Teams user (linked). */
async function didsOf(db: Db, tenantId: string, extensions: string[]): Promise<Map<string, HeldDid>> {
  if (extensions.length === 0) return new Map();
  const rows = await db
    .select({ id: phoneNumbers.id, e164: phoneNumbers.e164, ext: phoneNumbers.assigneeId, linked: phoneNumbers.linkedExtension, teamsUser: phoneNumbers.assigneeId, type: phoneNumbers.assigneeType })
    .from(phoneNumbers)
    .where(
      and(
        eq(phoneNumbers.tenantId, tenantId),
        eq(phoneNumbers.status, 'assigned'),
        or(and(eq(phoneNumbers.assigneeType, 'threecx_extension'), inArray(phoneNumbers.assigneeId, extensions)), inArray(phoneNumbers.linkedExtension, extensions)),
      ),
    );
  return new Map(rows.map((r) => (r.linked ? [r.linked, { numberId: r.id, e164: r.e164, sharedWithTeamsUser: r.teamsUser! }] : [r.ext!, { numberId: r.id, e164: r.e164 }])));
}
const didOut = (d: HeldDid | undefined): { numberId: string; e164: string } | null => (d ? { numberId: d.numberId, e164: d.e164 } : null);

export async function listExtensions(deps: AppDeps, actor: Actor, tenantId: string, query: { search?: string | undefined; page: number; pageSize: number }) {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  const api = await threeCxApiFor(deps, tenant);
  const { users, total } = await api.listUsers({ search: query.search, top: query.pageSize, skip: (query.page - 1) * query.pageSize });
  const dids = await didsOf(deps.db, tenantId, users.map((u) => u.Number));
  return { extensions: users.map((u) => toView(u, didOut(dids.get(u.Number)))), total, page: query.page, pageSize: query.pageSize };
}

export async function getExtension(deps: AppDeps, actor: Actor, tenantId: string, id: number): Promise<ExtensionView> {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  const user = await (await threeCxApiFor(deps, tenant)).getUser(id);
  return toView(user, didOut((await didsOf(deps.db, tenantId, [user.Number])).get(user.Number)));
}

/** Where an extension's DID comes from: a number of the inventory (by id or by E.164), or none. */
export type DidChoice = { numberId: string } | { e164: string } | null;

const HOLD_REASON = 'Being assigned to 3CX extension';

/**
 * Holds an inventory DID for an extension while 3CX is asked (claim → reserved), so no one else
 * can take it meanwhile; refuses a number being handed to another extension right now.
 */
async function claimDid(deps: AppDeps, actor: Actor, tenant: TenantRow, choice: { numberId: string } | { e164: string }, extension: string, pbxDids: Set<string>, request: RequestInfo, options: { revert?: boolean; ticketId?: string | null | undefined }) {
  return deps.db.transaction(async (tx) => {
    const where = 'numberId' in choice ? eq(phoneNumbers.id, choice.numberId) : eq(phoneNumbers.e164, choice.e164);
    const [row] = await tx.select().from(phoneNumbers).where(and(eq(phoneNumbers.tenantId, tenant.id), where)).for('update');
    if (!row) throw new NotFoundError('Number');
    if (row.kind !== 'threecx_did') throw new ValidationError(`${row.e164} is not a 3CX DID in the inventory (it is ${row.kind.replace('_', ' ')}).`, [{ field: 'did', message: 'Pick a 3CX DID' }]);
    if (!pbxDids.has(row.e164)) throw new ConflictError(`${row.e164} is not a DID of any trunk on this PBX. Add it to a trunk in the 3CX admin console first.`, 'threecx_did_not_on_pbx');
    if (row.status === 'reserved' && row.reservationReason?.startsWith(HOLD_REASON)) throw new ConflictError(`${row.e164} is being assigned to another extension right now.`, 'number_in_change');
    const before = await claimNumber(deps, tx, actor, row, { reason: `${HOLD_REASON} ${extension}`, until: new Date(deps.now().getTime() + 3_600_000), ticketId: options.ticketId, reclaimCooling: options.revert }, request);
    return { row, before };
  });
}

/** 3CX refused: put the held number back exactly as it was. */
async function unclaimDid(deps: AppDeps, actor: Actor, held: { row: NumberRow; before: ClaimSnapshot }, error: string, request: RequestInfo) {
  await deps.db.transaction((tx) => unclaimNumber(deps, tx, actor, held.row.tenantId, held.row.id, held.before, { error, request }));
}

async function assignHeld(deps: AppDeps, tx: Db, actor: Actor, tenantId: string, numberId: string, user: PbxUser, request: RequestInfo, ticketId: string | null | undefined) {
  await changeNumberStatus(deps, actor, tenantId, numberId, { action: 'assign', assignee: { type: 'threecx_extension', id: user.Number, name: user.DisplayName ?? `${user.FirstName ?? ''} ${user.LastName ?? ''}`.trim() }, ticketId }, request, tx);
}

async function releaseDidOf(deps: AppDeps, tx: Db, actor: Actor, tenantId: string, extension: string, request: RequestInfo, ticketId: string | null | undefined, reason: string) {
  // A DID shared with the same person's Teams user stays with that user.
  if (await unlinkExtension(deps, tx, actor, tenantId, extension, request, reason, ticketId)) return;
  const [held] = await tx
    .select({ id: phoneNumbers.id })
    .from(phoneNumbers)
    .where(and(eq(phoneNumbers.tenantId, tenantId), eq(phoneNumbers.status, 'assigned'), eq(phoneNumbers.assigneeType, 'threecx_extension'), eq(phoneNumbers.assigneeId, extension)));
  if (held) await changeNumberStatus(deps, actor, tenantId, held.id, { action: 'release', reason, ticketId }, request, tx);
}

/** A typed caller id that is one of the inventory's DIDs must come through the DID picker, so the inventory stays right. */
async function refuseInventoryCallerId(deps: AppDeps, tenantId: string, callerId: string | undefined, did: string | null) {
  if (!callerId || callerId === did) return;
  const parsed = parseNumber(callerId);
  if (!parsed.ok) return;
  const e164 = parsed.value.e164;
  const [row] = await deps.db.select({ id: phoneNumbers.id }).from(phoneNumbers).where(and(eq(phoneNumbers.tenantId, tenantId), eq(phoneNumbers.e164, e164), eq(phoneNumbers.kind, 'threecx_did')));
  if (row) throw new ValidationError(`${e164} is a DID in the inventory: choose it as the extension's DID so the inventory records who has it.`, [{ field: 'outboundCallerId', message: 'Pick it as the DID instead' }]);
}

async function pbxDidSet(api: Awaited<ReturnType<typeof threeCxApiFor>>): Promise<Set<string>> {
  return new Set((await api.listDids()).map((d) => d.Number));
}

async function failure(deps: AppDeps, actor: Actor, tenantId: string, action: AuditAction, target: string, error: unknown, request: RequestInfo, ticketId: string | null | undefined, after?: unknown) {
  await recordAudit(deps.db, { action, result: 'failure', actor, tenantId, targetType: 'threecx_extension', targetId: target, after: after ?? null, error: error instanceof Error ? error.message : String(error), ticketId: ticketId ?? null, request });
}

type TicketInput = { ticketId?: string | null | undefined; ticketLog?: TicketLogChoices | undefined };
export type CreateExtensionInput = Partial<ExtensionFields> & { number: string; did?: DidChoice | undefined } & TicketInput;

/**
 * Creates an extension (E1). A DID from the inventory is held first, then 3CX is asked; the
 * DID becomes the extension's outbound caller id and is assigned to it in the inventory only
 * once 3CX has said yes. If 3CX refuses, the number goes back as it was and nothing changed.
 */
export async function createExtension(deps: AppDeps, actor: Actor, tenantId: string, input: CreateExtensionInput, request: RequestInfo, options: { revert?: boolean; revertOf?: number } = {}): Promise<ExtensionView> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const api = await threeCxApiFor(deps, tenant);
  const existing = await api.findUserByNumber(input.number);
  if (existing) throw new ConflictError(`Extension ${input.number} is already in use on this PBX (${existing.DisplayName || `${existing.FirstName ?? ''} ${existing.LastName ?? ''}`.trim() || 'no name'}). Nothing was changed.`, 'threecx_extension_taken');
  const ticket = await checkThreeCxTicket(deps, actor, tenantId, input);
  const held = input.did ? await claimDid(deps, actor, tenant, input.did, input.number, await pbxDidSet(api), request, { revert: options.revert, ticketId: input.ticketId }) : undefined;
  if (!held) await refuseInventoryCallerId(deps, tenantId, input.outboundCallerId, null);
  const { did: _did, ticketId, ticketLog: _ticketLog, ...fields } = input;
  const body = { ...toPbx(fields), Number: input.number, ...(held ? { OutboundCallerID: held.row.e164 } : {}) };
  let user: PbxUser;
  try {
    user = await api.createUser(body);
  } catch (error) {
    if (held) await unclaimDid(deps, actor, held, error instanceof Error ? error.message : String(error), request);
    await failure(deps, actor, tenantId, 'threecx.extension_created', input.number, error, request, ticketId, body);
    throw error;
  }
  const view = toView(user, held ? { numberId: held.row.id, e164: held.row.e164 } : null);
  const logId = await deps.db.transaction(async (tx) => {
    if (held) await assignHeld(deps, tx, actor, tenantId, held.row.id, user, request, ticketId);
    await recordAudit(tx, { action: options.revert ? 'threecx.extension_restored' : 'threecx.extension_created', actor, tenantId, targetType: 'threecx_extension', targetId: user.Number, before: null, after: { ...snapshot(view), ...(options.revertOf ? { revertOf: options.revertOf } : {}) }, ticketId: ticketId ?? null, request });
    const note = `3CX extension ${view.number} (${view.displayName || 'no name'}) ${options.revert ? 'restored' : 'created'}.${view.did ? ` DID: ${view.did.e164}.` : ''}`;
    return recordThreeCxWork(deps, tx, actor, tenantId, ticket, `extension ${view.number}`, note);
  });
  await startTicketWork(deps, logId);
  return view;
}

export type SharedExtensionInput = Partial<Omit<ExtensionFields, 'outboundCallerId'>> & { number: string; numberId: string; teamsUserId: string; ticketId?: string | null | undefined };

/**
 * Creates the 3CX extension of a person who has a Teams number, with that number as its DID
 * (3CX integrated with Teams: the same DID rings both). The number stays the Teams user's and
 * gains the extension as its second holder (number-store linkExtension), written before 3CX is
 * asked so no other extension can take it meanwhile; if 3CX refuses, the link goes again.
 * A link this extension already has (a step resumed after a crash) is taken as its own.
 */
export async function createSharedExtension(deps: AppDeps, actor: Actor, tenantId: string, input: SharedExtensionInput, request: RequestInfo): Promise<ExtensionView> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const api = await threeCxApiFor(deps, tenant);
  const existing = await api.findUserByNumber(input.number);
  if (existing) throw new ConflictError(`Extension ${input.number} is already in use on this PBX (${existing.DisplayName || `${existing.FirstName ?? ''} ${existing.LastName ?? ''}`.trim() || 'no name'}). Nothing was changed.`, 'threecx_extension_taken');
  const [number] = await deps.db.select().from(phoneNumbers).where(and(eq(phoneNumbers.id, input.numberId), eq(phoneNumbers.tenantId, tenantId)));
  if (!number) throw new NotFoundError('Number');
  if (!(await pbxDidSet(api)).has(number.e164)) throw new ConflictError(`${number.e164} is not a DID of any trunk on this PBX. Add it to a trunk in the 3CX admin console first.`, 'threecx_did_not_on_pbx');
  const name = `${input.firstName ?? ''} ${input.lastName ?? ''}`.trim() || null;
  await deps.db.transaction((tx) => linkExtension(deps, tx, actor, tenantId, number.id, { teamsUserId: input.teamsUserId, extension: input.number, name }, request, input.ticketId));
  const { numberId: _n, teamsUserId: _t, ticketId, ...fields } = input;
  const body = { ...toPbx(fields), Number: input.number, OutboundCallerID: number.e164 };
  let user: PbxUser;
  try {
    user = await api.createUser(body);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    await deps.db.transaction((tx) => unlinkExtension(deps, tx, actor, tenantId, input.number, request, `3CX refused the extension: ${why}`, ticketId));
    await failure(deps, actor, tenantId, 'threecx.extension_created', input.number, error, request, ticketId, body);
    throw error;
  }
  const view = toView(user, { numberId: number.id, e164: number.e164 });
  await recordAudit(deps.db, { action: 'threecx.extension_created', actor, tenantId, targetType: 'threecx_extension', targetId: user.Number, before: null, after: { ...snapshot(view), sharedWithTeamsUser: input.teamsUserId }, ticketId: ticketId ?? null, request });
  return view;
}

/** Finds an extension by its number on the tenant's PBX (null: none), with its inventory DID. */
export async function findExtension(deps: AppDeps, actor: Actor, tenantId: string, extension: string): Promise<ExtensionView | null> {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  const user = await (await threeCxApiFor(deps, tenant)).findUserByNumber(extension);
  return user ? toView(user, didOut((await didsOf(deps.db, tenantId, [user.Number])).get(user.Number))) : null;
}

export type UpdateExtensionInput = Partial<ExtensionFields> & { did?: DidChoice | undefined } & TicketInput;

/**
 * Updates an extension. A new DID is held, 3CX is asked, then the new DID is assigned and the
 * old one released through the lifecycle (cooling for the tenant's days). The extension number
 * is fixed: 3CX refuses to change it (3cx/xapi-tutorial "Should not allow to change number").
 */
export async function updateExtension(deps: AppDeps, actor: Actor, tenantId: string, id: number, input: UpdateExtensionInput, request: RequestInfo, options: { revert?: boolean; revertOf?: number } = {}): Promise<ExtensionView> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const api = await threeCxApiFor(deps, tenant);
  const current = await api.getUser(id);
  const currentDid = didOut((await didsOf(deps.db, tenantId, [current.Number])).get(current.Number));
  const beforeView = toView(current, currentDid);
  const { did, ticketId, ticketLog: _ticketLog, ...fields } = input;
  const changed = Object.fromEntries(Object.entries(fields).filter(([key, value]) => value !== undefined && beforeView[key as keyof ExtensionFields] !== value)) as Partial<ExtensionFields>;
  if (changed.number !== undefined) {
    throw new ValidationError(`Extension ${current.Number} keeps its number: 3CX does not allow changing an extension's number. To move the user to ${changed.number}, use Renumber, which creates extension ${changed.number}, moves the DID to it and deletes extension ${current.Number}. Nothing was changed.`, [
      { field: 'number', message: '3CX does not allow changing an extension number' },
    ]);
  }
  const targetNumber = current.Number;
  const didChanges = did !== undefined && (did === null ? currentDid !== null : 'numberId' in did ? did.numberId !== currentDid?.numberId : did.e164 !== currentDid?.e164);
  if (Object.keys(changed).length === 0 && !didChanges) throw new ValidationError(`Nothing to change: extension ${current.Number} already has these values.`);
  const ticket = await checkThreeCxTicket(deps, actor, tenantId, input);
  const held = didChanges && did ? await claimDid(deps, actor, tenant, did, targetNumber, await pbxDidSet(api), request, { revert: options.revert, ticketId }) : undefined;
  if (!didChanges) await refuseInventoryCallerId(deps, tenantId, changed.outboundCallerId, currentDid?.e164 ?? null);
  const body: Omit<UserFields, 'Number'> = { ...toPbx(changed), ...(held ? { OutboundCallerID: held.row.e164 } : didChanges && did === null && !changed.outboundCallerId ? { OutboundCallerID: '' } : {}) };
  // A display name made of the names follows them; one typed in the PBX console is left alone.
  const derived = (first: string | null | undefined, last: string | null | undefined) => `${first ?? ''} ${last ?? ''}`.trim();
  if ((body.FirstName !== undefined || body.LastName !== undefined) && (current.DisplayName ?? '') === derived(current.FirstName, current.LastName)) {
    body.DisplayName = derived(body.FirstName ?? current.FirstName, body.LastName ?? current.LastName);
  }
  try {
    await api.updateUser(id, body);
  } catch (error) {
    if (held) await unclaimDid(deps, actor, held, error instanceof Error ? error.message : String(error), request);
    await failure(deps, actor, tenantId, 'threecx.extension_updated', current.Number, error, request, ticketId, body);
    throw error;
  }
  const user = { ...current, ...body };
  const afterDid = held ? { numberId: held.row.id, e164: held.row.e164 } : didChanges ? null : currentDid;
  const afterView = toView(user as PbxUser, afterDid);
  const logId = await deps.db.transaction(async (tx) => {
    if (didChanges) await releaseDidOf(deps, tx, actor, tenantId, current.Number, request, ticketId, `3CX extension ${current.Number} no longer uses it`);
    if (held) await assignHeld(deps, tx, actor, tenantId, held.row.id, user as PbxUser, request, ticketId);
    await recordAudit(tx, { action: options.revert ? 'threecx.extension_reverted' : 'threecx.extension_updated', actor, tenantId, targetType: 'threecx_extension', targetId: targetNumber, before: snapshot(beforeView), after: { ...snapshot(afterView), ...(options.revertOf ? { revertOf: options.revertOf } : {}) }, ticketId: ticketId ?? null, request });
    const lines = [...Object.keys(changed).map((field) => `${field} changed`), ...(didChanges ? [`DID: ${currentDid?.e164 ?? 'none'} → ${afterDid?.e164 ?? 'none'}`] : [])];
    return recordThreeCxWork(deps, tx, actor, tenantId, ticket, `extension ${targetNumber}`, `3CX extension ${targetNumber} ${options.revert ? 'reverted' : 'updated'}: ${lines.join('; ')}.`);
  });
  await startTicketWork(deps, logId);
  return afterView;
}

/**
 * Renumbers an extension the only way 3CX allows (it refuses a changed Number): one audited
 * action that creates the new extension with the fields UCR Manager manages and the same caller
 * id, deletes the old one, and moves the DID's inventory assignee to the new number — the DID
 * stays assigned throughout, so it never passes through cooling. If 3CX refuses the deletion,
 * the new extension is deleted again and nothing has changed.
 */
export async function renumberExtension(deps: AppDeps, actor: Actor, tenantId: string, id: number, input: { number: string } & TicketInput, request: RequestInfo): Promise<ExtensionView> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const api = await threeCxApiFor(deps, tenant);
  const current = await api.getUser(id);
  if (input.number === current.Number) throw new ValidationError(`Extension ${current.Number} already has that number.`, [{ field: 'number', message: 'Enter the new extension number' }]);
  const clash = await api.findUserByNumber(input.number);
  if (clash) throw new ConflictError(`Extension ${input.number} is already in use on this PBX (${clash.DisplayName || 'another user'}). Nothing was changed.`, 'threecx_extension_taken');
  const ticket = await checkThreeCxTicket(deps, actor, tenantId, input);
  const held = (await didsOf(deps.db, tenantId, [current.Number])).get(current.Number);
  const currentDid = didOut(held);
  const beforeView = toView(current, currentDid);
  const { number: _number, ...kept } = editable(beforeView);
  const body = { ...toPbx(kept), Number: input.number, ...(current.DisplayName ? { DisplayName: current.DisplayName } : {}) };
  const fail = (error: unknown) => failure(deps, actor, tenantId, 'threecx.extension_renumbered', current.Number, error, request, input.ticketId, { number: input.number });
  let created: PbxUser;
  try {
    created = await api.createUser(body);
  } catch (error) {
    await fail(error);
    throw error;
  }
  const refusal = await deleteOld(api, id, current.Number);
  if (refusal) {
    // Roll back: the new extension goes again, so the PBX is as it was.
    const undone = await api.deleteUsers([created.Id]).then(
      (left) => left.length === 0,
      () => false,
    );
    const error = new ConflictError(
      `3CX did not delete extension ${current.Number} (${refusal}), so it was not renumbered. ${undone ? `The new extension ${input.number} was removed again; nothing was changed.` : `The new extension ${input.number} could not be removed again: delete it in the 3CX console.`}`,
      'threecx_delete_refused',
    );
    await fail(error);
    throw error;
  }
  const afterView = toView(created, currentDid);
  const logId = await deps.db.transaction(async (tx) => {
    // The DID stays assigned throughout, so the inventory's assignee follows the new number.
    if (held?.sharedWithTeamsUser) {
      await unlinkExtension(deps, tx, actor, tenantId, current.Number, request, `3CX extension ${current.Number} was renumbered to ${created.Number}`, input.ticketId);
      await linkExtension(deps, tx, actor, tenantId, held.numberId, { teamsUserId: held.sharedWithTeamsUser, extension: created.Number, name: created.DisplayName ?? null }, request, input.ticketId);
    } else if (currentDid) await renameAssignee(deps, tx, actor, tenantId, currentDid.numberId, created.Number, request);
    await recordAudit(tx, { action: 'threecx.extension_renumbered', actor, tenantId, targetType: 'threecx_extension', targetId: input.number, before: snapshot(beforeView), after: snapshot(afterView), ticketId: input.ticketId ?? null, request });
    return recordThreeCxWork(deps, tx, actor, tenantId, ticket, `extension ${input.number}`, `3CX extension ${current.Number} renumbered to ${input.number}.${currentDid ? ` DID ${currentDid.e164} moved with it.` : ''}`);
  });
  await startTicketWork(deps, logId);
  return afterView;
}

/** Deletes the old extension of a renumbering; the reason 3CX kept it, or null once it is gone. */
async function deleteOld(api: Awaited<ReturnType<typeof threeCxApiFor>>, id: number, extension: string): Promise<string | null> {
  try {
    const refused = await api.deleteUsers([id]);
    return refused.length ? refused.map((r) => `${r.ExtensionNumber ?? extension}: ${r.Error || 'no reason given'}`).join('; ') : null;
  } catch (error) {
    // No answer is not a refusal: look whether the user is gone before undoing anything.
    const gone = await api.getUser(id).then(
      () => false,
      (e: unknown) => e instanceof ThreeCxError && e.reason === 'not_found',
    );
    return gone ? null : error instanceof Error ? error.message : String(error);
  }
}

/**
 * Deletes an extension; its DID goes back through the lifecycle (cooling, or available at 0 days).
 * 3CX answers BatchDelete 200 even when it kept the user, naming it in a UserDeleteError: then
 * the extension still holds its DID, so the inventory keeps it assigned and the error is shown.
 */
export async function deleteExtension(deps: AppDeps, actor: Actor, tenantId: string, id: number, input: TicketInput, request: RequestInfo): Promise<{ deleted: ExtensionView }> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const api = await threeCxApiFor(deps, tenant);
  const current = await api.getUser(id);
  const view = toView(current, didOut((await didsOf(deps.db, tenantId, [current.Number])).get(current.Number)));
  const ticket = await checkThreeCxTicket(deps, actor, tenantId, input);
  try {
    const refused = await api.deleteUsers([id]);
    if (refused.length > 0) {
      const why = refused.map((r) => `${r.ExtensionNumber ?? current.Number}: ${r.Error || 'no reason given'}`).join('; ');
      throw new ConflictError(`3CX did not delete extension ${current.Number} (${why}). The extension${view.did ? ` keeps its DID ${view.did.e164}` : ' is still there'}; nothing was changed in the inventory.`, 'threecx_delete_refused');
    }
  } catch (error) {
    await failure(deps, actor, tenantId, 'threecx.extension_deleted', current.Number, error, request, input.ticketId);
    throw error;
  }
  const logId = await deps.db.transaction(async (tx) => {
    await releaseDidOf(deps, tx, actor, tenantId, current.Number, request, input.ticketId, `3CX extension ${current.Number} was deleted`);
    await recordAudit(tx, { action: 'threecx.extension_deleted', actor, tenantId, targetType: 'threecx_extension', targetId: current.Number, before: snapshot(view), after: null, ticketId: input.ticketId ?? null, request });
    return recordThreeCxWork(deps, tx, actor, tenantId, ticket, `extension ${current.Number}`, `3CX extension ${current.Number} (${view.displayName || 'no name'}) deleted.${view.did ? ` DID ${view.did.e164} released.` : ''}`);
  });
  await startTicketWork(deps, logId);
  return { deleted: view };
}

const REVERTIBLE = ['threecx.extension_created', 'threecx.extension_updated', 'threecx.extension_deleted'];

/** Recent 3CX extension changes of a tenant, newest first (the revert list). */
export async function listExtensionChanges(deps: AppDeps, actor: Actor, tenantId: string, limit: number) {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  await assertThreeCxEnabled(deps, tenant);
  const rows = await deps.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.tenantId, tenantId), like(auditEvents.action, 'threecx.%')))
    .orderBy(desc(auditEvents.id))
    .limit(limit);
  return rows.map((r) => ({
    id: r.id,
    at: r.occurredAt.toISOString(),
    actor: r.actor,
    action: r.action,
    result: r.result,
    extension: r.targetType === 'threecx_extension' ? r.targetId : r.targetType === 'threecx_trunk' ? `trunk ${r.targetId}` : r.targetType === 'threecx_did' ? r.targetId : null,
    before: r.before,
    after: r.after,
    error: r.error,
    ticketId: r.ticketId,
    revertible: r.result === 'success' && REVERTIBLE.includes(r.action),
  }));
}

/**
 * Undoes one extension change from its audit event: an update is set back to the values before
 * (DID included, reclaimed from cooling if need be), a deletion re-creates the extension, a
 * creation deletes it. When the PBX or the inventory moved on meanwhile, the revert explains the
 * conflict and changes nothing.
 */
export async function revertExtensionChange(deps: AppDeps, actor: Actor, tenantId: string, eventId: number, input: TicketInput, request: RequestInfo): Promise<ExtensionView | { deleted: ExtensionView }> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const api = await threeCxApiFor(deps, tenant);
  const [event] = await deps.db.select().from(auditEvents).where(and(eq(auditEvents.id, eventId), eq(auditEvents.tenantId, tenantId)));
  if (!event || !event.action.startsWith('threecx.')) throw new NotFoundError('Change');
  if (event.result !== 'success' || !REVERTIBLE.includes(event.action)) throw new ConflictError('This change cannot be reverted.', 'not_revertible');
  const before = event.before as ExtensionView | null;
  const after = event.after as ExtensionView | null;
  const ticketId = input.ticketId ?? event.ticketId;
  if (event.action === 'threecx.extension_created') {
    const user = await api.findUserByNumber(after!.number);
    if (!user || user.Id !== after!.id) throw new ConflictError(`Extension ${after!.number} is no longer the one this change created; nothing was changed.`, 'revert_conflict');
    return deleteExtension(deps, actor, tenantId, user.Id, { ticketId, ticketLog: input.ticketLog }, request);
  }
  if (event.action === 'threecx.extension_deleted') {
    return createExtension(deps, actor, tenantId, { ...editable(before!), did: before!.did ? { e164: before!.did.e164 } : null, ticketId, ticketLog: input.ticketLog }, request, { revert: true, revertOf: event.id });
  }
  const user = await api.getUser(after!.id).catch(() => undefined);
  if (!user) throw new ConflictError(`Extension ${after!.number} no longer exists on the PBX; nothing was changed.`, 'revert_conflict');
  const fields = editable(before!);
  return updateExtension(deps, actor, tenantId, after!.id, { ...fields, did: before!.did ? { e164: before!.did.e164 } : null, ticketId, ticketLog: input.ticketLog }, request, { revert: true, revertOf: event.id });
}
