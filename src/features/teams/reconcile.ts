import { eq } from 'drizzle-orm';
import { teamsKinds, type NumberKind } from '../../core/number-vocabulary.ts';
import { teamsUsers } from '../../db/schema/index.ts';
import type { NumberSource } from '../numbers/reconcile/number-source.ts';
import { teamsApiFor } from './connection.ts';

const graphKind: Record<string, NumberKind> = {
  directRouting: 'direct_routing',
  callingPlan: 'calling_plan',
  operatorConnect: 'operator_connect',
};

/** What Teams has, for the reconcile engine (C7): the tenant's number assignments, named by the directory's UPNs. */
export const teamsNumberSource: NumberSource = {
  system: 'teams',
  name: 'Teams',
  assigneeType: 'teams_user',
  // Service and toll-free numbers are Teams' too (on resource accounts and conference bridges), so they are compared.
  kinds: teamsKinds,
  retiresWhatItLacks: false,
  describeAssignee: (assignee) => assignee.upn ?? assignee.id,
  added: { tags: [], notes: 'Added from Teams by reconcile', source: 'teams reconcile' },
  auditAction: 'teams.reconciled',
  async listNumbers(deps, tenant) {
    const api = await teamsApiFor(deps, tenant);
    const numbers = (await api.listNumberAssignments()).filter((n) => graphKind[n.numberType]);
    const users = await deps.db.select({ userId: teamsUsers.userId, upn: teamsUsers.upn }).from(teamsUsers).where(eq(teamsUsers.tenantId, tenant.id));
    const upnOf = new Map(users.map((u) => [u.userId, u.upn]));
    return numbers.map((t) => {
      // Any assignment counts: users, resource accounts (voice applications), conference bridges.
      const target = t.assignmentStatus && t.assignmentStatus !== 'unassigned' ? t.assignmentTargetId : null;
      return { e164: t.telephoneNumber, kind: graphKind[t.numberType]!, assignee: target ? { id: target, upn: upnOf.get(target) ?? null, name: null } : null, via: null };
    });
  },
};
