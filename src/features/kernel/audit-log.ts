import type { AuditAction } from '../../core/audit-actions.ts';
import { auditEvents } from '../../db/schema/index.ts';
import type { Db } from '../../db/connection.ts';
import type { Actor, RequestInfo } from './deps.ts';
import { actorLabel } from './deps.ts';

export type AuditInput = {
  action: AuditAction;
  result?: 'success' | 'failure';
  actor?: Actor | { operatorId: string | null; label: string };
  tenantId?: string | null;
  targetType?: string;
  targetId?: string;
  before?: unknown;
  after?: unknown;
  error?: string;
  ticketId?: string | null;
  request?: RequestInfo;
};

/**
 * Writes one audit event. Call it with the same transaction handle as the change it
 * describes, so the change and its record commit or roll back together.
 */
export async function recordAudit(tx: Db, input: AuditInput): Promise<void> {
  const actor = input.actor;
  const operatorId = actor ? actor.operatorId : null;
  const label = !actor ? 'system' : 'label' in actor ? actor.label : actorLabel(actor);
  await tx.insert(auditEvents).values({
    action: input.action,
    result: input.result ?? 'success',
    operatorId,
    actor: label,
    tenantId: input.tenantId ?? null,
    targetType: input.targetType ?? null,
    targetId: input.targetId ?? null,
    before: input.before ?? null,
    after: input.after ?? null,
    error: input.error ?? null,
    ticketId: input.ticketId ?? null,
    requestId: input.request?.requestId ?? null,
    ip: input.request?.ip ?? null,
  });
}
