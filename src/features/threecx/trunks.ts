import type { AuditAction } from '../../core/audit-actions.ts';
import { and, eq, inArray } from 'drizzle-orm';
import { ThreeCxError } from '../../connectors/threecx/errors.ts';
import type { PbxTrunk, TrunkFields } from '../../connectors/threecx/schemas.ts';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import { parseNumber } from '../../core/phone-number.ts';
import { phoneNumbers } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { threeCxApiFor, threeCxConsoleUrl } from './connection.ts';
import { loadActiveTenant, loadTenant } from '../tenants/tenants.ts';
import type { TicketLogChoices } from '../kernel/ticket-work.ts';
import { checkThreeCxTicket, recordThreeCxWork, startTicketWork, type ThreeCxTicket } from './ticket-work.ts';

/** A trunk as UCR Manager shows it (E3). */
const trunkView = (t: PbxTrunk) => ({
  id: t.Id,
  number: t.Number,
  name: t.Gateway?.Name ?? `Trunk ${t.Number}`,
  host: t.Gateway?.Host ?? null,
  port: t.Gateway?.Port ?? null,
  type: t.Gateway?.Type ?? null,
  externalNumber: t.ExternalNumber ?? '',
  simultaneousCalls: t.SimultaneousCalls ?? null,
  direction: (t.Direction ?? 'Both') as 'Both' | 'Inbound' | 'Outbound',
  online: t.IsOnline ?? null,
  didNumbers: t.DidNumbers ?? [],
});
export type TrunkView = ReturnType<typeof trunkView>;

export async function listTrunks(deps: AppDeps, actor: Actor, tenantId: string): Promise<TrunkView[]> {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  return (await (await threeCxApiFor(deps, tenant)).listTrunks()).map(trunkView);
}

export async function getTrunk(deps: AppDeps, actor: Actor, tenantId: string, trunkId: number): Promise<TrunkView> {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  return trunkView(await (await threeCxApiFor(deps, tenant)).getTrunk(trunkId));
}

export type TrunkInput = { externalNumber?: string | undefined; simultaneousCalls?: number | undefined; direction?: 'Both' | 'Inbound' | 'Outbound' | undefined; didNumbers?: string[] | undefined; ticketId?: string | null | undefined; ticketLog?: TicketLogChoices | undefined };

function e164Of(input: string, field: string): string {
  const parsed = parseNumber(input);
  if (!parsed.ok) throw new ValidationError(parsed.reason, [{ field, message: parsed.reason }]);
  return parsed.value.e164;
}

/** Updates the fields 3CX lets an API client change on a trunk (E3), with an audit event. */
export async function updateTrunk(deps: AppDeps, actor: Actor, tenantId: string, trunkId: number, input: TrunkInput, request: RequestInfo): Promise<TrunkView> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const api = await threeCxApiFor(deps, tenant);
  const before = trunkView(await api.getTrunk(trunkId));
  const body: TrunkFields = {};
  if (input.externalNumber !== undefined && input.externalNumber !== before.externalNumber) body.ExternalNumber = input.externalNumber;
  if (input.simultaneousCalls !== undefined && input.simultaneousCalls !== before.simultaneousCalls) body.SimultaneousCalls = input.simultaneousCalls;
  if (input.direction !== undefined && input.direction !== before.direction) body.Direction = input.direction;
  if (input.didNumbers !== undefined) {
    const dids = [...new Set(input.didNumbers.map((d, i) => e164Of(d, `didNumbers.${i}`)))];
    if (dids.join() !== before.didNumbers.join()) body.DidNumbers = dids;
  }
  if (Object.keys(body).length === 0) throw new ValidationError(`Nothing to change: trunk ${before.name} already has these values.`);
  const ticket = await checkThreeCxTicket(deps, actor, tenantId, input);
  const after = await applyTrunkChange(deps, actor, tenantId, api, before, body, 'threecx.trunk_updated', input.ticketId, request);
  await logTrunkWork(deps, actor, tenantId, ticket, `trunk ${before.name}`, `3CX trunk ${before.name} updated: ${Object.keys(body).join(', ')}.`);
  return after;
}

/** Trunk changes are single PBX writes audited on their own; their ticket log follows the last one. */
async function logTrunkWork(deps: AppDeps, actor: Actor, tenantId: string, ticket: ThreeCxTicket, subject: string, note: string): Promise<void> {
  await startTicketWork(deps, await recordThreeCxWork(deps, deps.db, actor, tenantId, ticket, subject, note));
}

async function applyTrunkChange(deps: AppDeps, actor: Actor, tenantId: string, api: Awaited<ReturnType<typeof threeCxApiFor>>, before: TrunkView, body: TrunkFields, action: AuditAction, ticketId: string | null | undefined, request: RequestInfo): Promise<TrunkView> {
  try {
    await api.updateTrunk(before.id, body);
  } catch (error) {
    await recordAudit(deps.db, { action, result: 'failure', actor, tenantId, targetType: 'threecx_trunk', targetId: String(before.id), before, after: body, error: error instanceof Error ? error.message : String(error), ticketId: ticketId ?? null, request });
    throw error;
  }
  const after = trunkView(await api.getTrunk(before.id));
  await recordAudit(deps.db, { action, actor, tenantId, targetType: 'threecx_trunk', targetId: String(before.id), before, after, ticketId: ticketId ?? null, request });
  return after;
}

/** The PBX's DIDs (E2) with the extension using each and the inventory's record of it. */
export async function listDids(deps: AppDeps, actor: Actor, tenantId: string) {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  const api = await threeCxApiFor(deps, tenant);
  const [trunks, users] = [await api.listTrunks(), await api.allUsers()];
  const byCallerId = new Map(users.filter((u) => u.OutboundCallerID).map((u) => [u.OutboundCallerID!, u]));
  const all = trunks.flatMap((t) => (t.DidNumbers ?? []).map((number) => ({ number, trunk: t })));
  const inventory = all.length
    ? await deps.db.select().from(phoneNumbers).where(and(eq(phoneNumbers.tenantId, tenantId), inArray(phoneNumbers.e164, all.map((d) => d.number))))
    : [];
  const byE164 = new Map(inventory.map((n) => [n.e164, n]));
  return {
    dids: all
      .map(({ number, trunk }) => {
        const user = byCallerId.get(number);
        const inv = byE164.get(number);
        return {
          number,
          trunkId: trunk.Id,
          trunkName: trunk.Gateway?.Name ?? `Trunk ${trunk.Number}`,
          extension: user ? { id: user.Id, number: user.Number, name: user.DisplayName ?? '' } : null,
          inventory: inv ? { numberId: inv.id, status: inv.status, kind: inv.kind, assigneeId: inv.assigneeId } : null,
        };
      })
      .sort((a, b) => a.number.localeCompare(b.number)),
    consoleUrl: await threeCxConsoleUrl(deps, tenantId),
  };
}

/**
 * Moves a DID to another trunk or corrects its number (E2). DIDs live in their trunk's list,
 * so the change is a patch of the trunk(s) involved.
 */
export async function updateDid(deps: AppDeps, actor: Actor, tenantId: string, did: string, input: { number?: string | undefined; trunkId?: number | undefined; ticketId?: string | null | undefined; ticketLog?: TicketLogChoices | undefined }, request: RequestInfo) {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const api = await threeCxApiFor(deps, tenant);
  const current = e164Of(did, 'did');
  const trunks = (await api.listTrunks()).map(trunkView);
  const from = trunks.find((t) => t.didNumbers.includes(current));
  if (!from) throw new NotFoundError(`DID ${current}`);
  const to = input.trunkId === undefined ? from : trunks.find((t) => t.id === input.trunkId);
  if (!to) throw new ValidationError(`There is no trunk ${input.trunkId} on this PBX.`, [{ field: 'trunkId', message: 'Unknown trunk' }]);
  const next = input.number ? e164Of(input.number, 'number') : current;
  if (next === current && to.id === from.id) throw new ValidationError(`Nothing to change: ${current} is already on ${from.name}.`);
  const ticket = await checkThreeCxTicket(deps, actor, tenantId, input);
  const note = `3CX DID ${current}${next !== current ? ` corrected to ${next}` : ''}${to.id !== from.id ? ` moved from ${from.name} to ${to.name}` : ''}.`;
  let after: TrunkView;
  if (to.id === from.id) {
    after = await applyTrunkChange(deps, actor, tenantId, api, from, { DidNumbers: from.didNumbers.map((d) => (d === current ? next : d)) }, 'threecx.did_updated', input.ticketId, request);
  } else {
    await applyTrunkChange(deps, actor, tenantId, api, from, { DidNumbers: from.didNumbers.filter((d) => d !== current) }, 'threecx.did_updated', input.ticketId, request);
    after = await applyTrunkChange(deps, actor, tenantId, api, to, { DidNumbers: [...to.didNumbers, next] }, 'threecx.did_updated', input.ticketId, request);
  }
  await logTrunkWork(deps, actor, tenantId, ticket, `DID ${next}`, note);
  return after;
}

/**
 * Deletes a DID from the PBX (E2). The v20 XAPI has no delete on DidNumbers (the swagger lists
 * only GET): a DID is an entry of its trunk's `DidNumbers`, so deleting it is a patch of that
 * trunk without it. A DID that is an extension's outbound caller id is refused, since the
 * extension would keep calling out with a number the PBX no longer has: pick another DID for it
 * first. The inventory keeps its record; reconcile shows it as no longer on the PBX.
 */
export async function deleteDid(deps: AppDeps, actor: Actor, tenantId: string, did: string, input: { ticketId?: string | null | undefined; ticketLog?: TicketLogChoices | undefined }, request: RequestInfo): Promise<TrunkView> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const api = await threeCxApiFor(deps, tenant);
  const number = e164Of(did, 'did');
  const from = (await api.listTrunks()).map(trunkView).find((t) => t.didNumbers.includes(number));
  if (!from) throw new NotFoundError(`DID ${number}`);
  const user = await api.findUserByCallerId(number);
  if (user) {
    const message = `${number} is the outbound caller id of extension ${user.Number}${user.DisplayName ? ` (${user.DisplayName})` : ''}. Give that extension another DID first, then delete this one.`;
    await recordAudit(deps.db, { action: 'threecx.did_deleted', result: 'failure', actor, tenantId, targetType: 'threecx_did', targetId: number, error: message, ticketId: input.ticketId ?? null, request });
    throw new ConflictError(message, 'threecx_did_in_use');
  }
  const ticket = await checkThreeCxTicket(deps, actor, tenantId, input);
  const after = await applyTrunkChange(deps, actor, tenantId, api, from, { DidNumbers: from.didNumbers.filter((d) => d !== number) }, 'threecx.did_deleted', input.ticketId, request);
  await logTrunkWork(deps, actor, tenantId, ticket, `DID ${number}`, `3CX DID ${number} deleted from trunk ${from.name}.`);
  return after;
}

/**
 * Asks 3CX to create a DID on its own. The v20 XAPI answers 405: the DID has to be added to a
 * trunk in the PBX console. The operator gets that in plain words with the console's address.
 */
export async function createDid(deps: AppDeps, actor: Actor, tenantId: string, input: { number: string; trunkId: number; ticketId?: string | null | undefined }, request: RequestInfo): Promise<{ created: true; number: string; trunkId: number }> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const api = await threeCxApiFor(deps, tenant);
  const number = e164Of(input.number, 'number');
  const consoleUrl = await threeCxConsoleUrl(deps, tenantId);
  try {
    await api.createDid(number, input.trunkId);
  } catch (error) {
    if (error instanceof ThreeCxError && error.reason === 'not_supported') {
      const message = `3CX does not let apps create DIDs: its API answered 405 Method Not Allowed. Add ${number} to the trunk in the 3CX admin console (Voice & Chat › the trunk › DIDs), then bring it into the inventory from the 3CX reconcile view.`;
      await recordAudit(deps.db, { action: 'threecx.did_created', result: 'failure', actor, tenantId, targetType: 'threecx_did', targetId: number, error: message, ticketId: input.ticketId ?? null, request });
      throw new AppError(409, 'threecx_did_create_not_supported', message, { consoleUrl });
    }
    throw error;
  }
  // A later PBX version that accepts it is recorded like any change.
  await recordAudit(deps.db, { action: 'threecx.did_created', actor, tenantId, targetType: 'threecx_did', targetId: number, after: { number, trunkId: input.trunkId }, ticketId: input.ticketId ?? null, request });
  return { created: true, number, trunkId: input.trunkId };
}
