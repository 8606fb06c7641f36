import { and, eq, isNull, type SQL } from 'drizzle-orm';
import type { SignInMessageCode } from '../../core/sign-in-messages.ts';
import type { Db } from '../../db/connection.ts';
import { operators } from '../../db/schema/index.ts';
import type { EntraIdentity } from '../../connectors/entra/oidc.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { AppDeps, RequestInfo } from '../kernel/deps.ts';
import { createSession, type OperatorRow } from './sessions.ts';

export type EntraSignInOutcome =
  | { outcome: 'signed_in'; token: string; csrfToken: string; operatorId: string }
  | { outcome: 'pending'; operatorId: string; created: boolean }
  | { outcome: 'refused'; code: SignInMessageCode; operatorId: string | null };

/**
 * Signs a person in whom Entra ID has vouched for (ID token validated, tenant checked).
 *
 * - Known by `oid`: active gets a session, pending waits, disabled is refused.
 * - Unknown `oid` but the email of an operator without an Entra link: an active operator is
 *   linked to this `oid` from now on; a pending or disabled one is not linked.
 * - Unknown altogether: a pending viewer without a password is created for an admin to approve.
 *
 * The session starts in stage `full`: Entra ID enforced its own MFA (Conditional Access /
 * security defaults), so no TOTP is asked on top.
 */
export async function signInWithEntra(deps: AppDeps, identity: EntraIdentity, request: RequestInfo): Promise<EntraSignInOutcome> {
  const refuse = (code: SignInMessageCode, operator: OperatorRow | undefined, reason: string) => refuseSignIn(deps, identity, request, code, operator, reason);

  for (let attempt = 0; ; attempt++) {
    const byOid = await findOne(deps.db, eq(operators.entraObjectId, identity.objectId));
    if (byOid) return continueAs(deps, byOid, identity, request);

    if (!identity.email) return refuse('entra_failed', undefined, 'the ID token carries neither an email nor a preferred_username that is an email address');
    const byEmail = await findOne(deps.db, eq(operators.email, identity.email));
    if (byEmail) {
      if (byEmail.entraObjectId !== null) return refuse('entra_account_conflict', byEmail, `email ${identity.email} is linked to another Entra ID account`);
      if (byEmail.status !== 'active') return continueAs(deps, byEmail, identity, request);
      const linked = await deps.db.transaction(async (tx) => {
        // Only while still unlinked: two first sign-ins at once link once.
        const [row] = await tx
          .update(operators)
          .set({ entraObjectId: identity.objectId, updatedAt: deps.now() })
          .where(and(eq(operators.id, byEmail.id), isNull(operators.entraObjectId)))
          .returning();
        if (!row) return undefined;
        await recordAudit(tx, {
          action: 'operator.entra_linked',
          actor: { operatorId: row.id, label: row.email },
          targetType: 'operator',
          targetId: row.id,
          after: { entraObjectId: identity.objectId, matchedBy: 'email' },
          request,
        });
        return row;
      });
      if (linked) return continueAs(deps, linked, identity, request);
      if (attempt > 2) return refuse('entra_failed', byEmail, 'the operator changed while linking; try again');
      continue;
    }

    const created = await deps.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(operators)
        .values({
          email: identity.email!,
          displayName: identity.displayName ?? identity.email!,
          role: 'viewer',
          status: 'pending',
          passwordHash: null,
          entraObjectId: identity.objectId,
          // Least privilege: no tenant until an admin gives them some (on approval or afterwards).
          allTenants: false,
          tenantIds: [],
        })
        .onConflictDoNothing()
        .returning();
      if (!row) return undefined;
      const snapshot = { id: row.id, email: row.email, displayName: row.displayName, role: row.role, status: row.status, allTenants: row.allTenants, tenantIds: row.tenantIds, entraObjectId: row.entraObjectId };
      await recordAudit(tx, { action: 'operator.created', actor: { operatorId: null, label: `${row.email} (first Entra ID sign-in)` }, targetType: 'operator', targetId: row.id, after: snapshot, request });
      await recordAudit(tx, {
        action: 'auth.sign_in',
        result: 'failure',
        actor: { operatorId: row.id, label: row.email },
        targetType: 'operator',
        targetId: row.id,
        error: 'Entra ID: first sign-in; waiting for an administrator to approve the account',
        after: { method: 'entra', entraObjectId: identity.objectId },
        request,
      });
      return row;
    });
    if (created) return { outcome: 'pending', operatorId: created.id, created: true };
    // Someone else inserted the same oid or email in the meantime: look again.
    if (attempt > 2) return refuse('entra_failed', undefined, 'could not create the pending operator (conflicting concurrent sign-ins)');
  }
}

async function findOne(db: Db, where: SQL): Promise<OperatorRow | undefined> {
  return (await db.select().from(operators).where(where))[0];
}

/** Records a sign-in that opened no session, with the reason, and says which message to show. */
async function refuseSignIn(
  deps: AppDeps,
  identity: EntraIdentity,
  request: RequestInfo,
  code: SignInMessageCode,
  operator: OperatorRow | undefined,
  reason: string,
): Promise<EntraSignInOutcome> {
  await recordAudit(deps.db, {
    action: 'auth.sign_in',
    result: 'failure',
    actor: { operatorId: operator?.id ?? null, label: operator?.email ?? identity.email ?? `Entra ID user ${identity.objectId}` },
    ...(operator ? { targetType: 'operator', targetId: operator.id } : {}),
    error: `Entra ID: ${reason}`,
    after: { method: 'entra', entraObjectId: identity.objectId },
    request,
  });
  return { outcome: 'refused', code, operatorId: operator?.id ?? null };
}

async function continueAs(deps: AppDeps, operator: OperatorRow, identity: EntraIdentity, request: RequestInfo): Promise<EntraSignInOutcome> {
  if (operator.status === 'disabled') return refuseSignIn(deps, identity, request, 'account_disabled', operator, 'account disabled');
  if (operator.status === 'pending') {
    await refuseSignIn(deps, identity, request, 'pending_approval', operator, 'waiting for an administrator to approve the account');
    return { outcome: 'pending', operatorId: operator.id, created: false };
  }
  return deps.db.transaction(async (tx) => {
    await tx.update(operators).set({ lastLoginAt: deps.now() }).where(eq(operators.id, operator.id));
    const created = await createSession(deps, tx, operator.id, 'full', request, 'entra');
    await recordAudit(tx, {
      action: 'auth.sign_in',
      actor: { operatorId: operator.id, label: operator.email },
      targetType: 'operator',
      targetId: operator.id,
      after: { method: 'entra', entraObjectId: identity.objectId },
      request,
    });
    return { outcome: 'signed_in' as const, operatorId: operator.id, ...created };
  });
}
