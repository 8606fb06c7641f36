import type { NumberSource } from '../numbers/reconcile/number-source.ts';
import { threeCxApiFor } from './connection.ts';

/**
 * What the PBX has, for the reconcile engine (C7). A DID is a number of a trunk, and it belongs
 * to the extension whose outbound caller id it is (the first one, when several use it).
 */
export const threeCxNumberSource: NumberSource = {
  system: 'threecx',
  name: 'the 3CX PBX',
  assigneeType: 'threecx_extension',
  kinds: ['threecx_did'],
  retiresWhatItLacks: true,
  describeAssignee: (assignee) => `extension ${assignee.id}`,
  added: { tags: ['3cx'], notes: 'Imported from the 3CX PBX by reconcile', source: '3cx reconcile' },
  auditAction: 'threecx.reconciled',
  async listNumbers(deps, tenant) {
    const api = await threeCxApiFor(deps, tenant);
    const trunks = await api.listTrunks();
    const users = await api.allUsers();
    const trunkOf = new Map(trunks.flatMap((t) => (t.DidNumbers ?? []).map((d) => [d, t.Gateway?.Name ?? `Trunk ${t.Number}`] as const)));
    const userOf = new Map<string, { id: string; upn: null; name: string | null }>();
    for (const u of users) if (u.OutboundCallerID && trunkOf.has(u.OutboundCallerID) && !userOf.has(u.OutboundCallerID)) userOf.set(u.OutboundCallerID, { id: u.Number, upn: null, name: u.DisplayName ?? null });
    return [...trunkOf].map(([did, trunk]) => ({ e164: did, kind: 'threecx_did' as const, assignee: userOf.get(did) ?? null, via: trunk }));
  },
};
