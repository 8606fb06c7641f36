import type { AuditAction } from '../../core/audit-actions.ts';
import { randomInt } from 'node:crypto';
import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import { passwordProblem } from '../../core/password-policy.ts';
import type { Role } from '../../core/roles.ts';
import type { Db } from '../../db/connection.ts';
import { operators, recoveryCodes, sessions } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { deleteSessionsOf, type OperatorRow } from './sessions.ts';
import { remainingRecoveryCodes } from './mfa-enrolment.ts';
import { sha256 } from './tokens.ts';

/** What the API shows of an operator: never a hash or secret. */
export type OperatorView = {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  status: 'active' | 'pending' | 'disabled';
  mfaEnrolled: boolean;
  mustChangePassword: boolean;
  allTenants: boolean;
  tenantIds: string[];
  lockedUntil: string | null;
  lastLoginAt: string | null;
  createdAt: string;
  connectwiseMember: string | null;
  signInMethods: Array<'password' | 'entra'>;
};

export function operatorView(o: OperatorRow): OperatorView {
  return {
    id: o.id,
    email: o.email,
    displayName: o.displayName,
    role: o.role,
    status: o.status,
    mfaEnrolled: o.totpSecretEnc !== null,
    mustChangePassword: o.mustChangePassword,
    allTenants: o.allTenants,
    tenantIds: o.tenantIds,
    lockedUntil: o.lockedUntil?.toISOString() ?? null,
    lastLoginAt: o.lastLoginAt?.toISOString() ?? null,
    createdAt: o.createdAt.toISOString(),
    connectwiseMember: o.connectwiseMember,
    signInMethods: [...(o.passwordHash ? (['password'] as const) : []), ...(o.entraObjectId ? (['entra'] as const) : [])],
  };
}

/** Audit snapshots name what changed, never credentials. */
function auditSnapshot(o: OperatorRow) {
  const { id, email, displayName, role, status, allTenants, tenantIds } = o;
  return { id, email, displayName, role, status, allTenants, tenantIds, mfaEnrolled: o.totpSecretEnc !== null };
}

// Readable, strong temporary passwords: 4 groups of 5 from an unambiguous alphabet (~100 bits).
const TEMP_ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
export function temporaryPassword(): string {
  const group = () => Array.from({ length: 5 }, () => TEMP_ALPHABET[randomInt(TEMP_ALPHABET.length)]).join('');
  return [group(), group(), group(), group()].join('-');
}

export async function listOperators(deps: AppDeps): Promise<OperatorView[]> {
  const rows = await deps.db.select().from(operators).orderBy(asc(operators.email));
  return rows.map(operatorView);
}

async function loadOperator(db: Db, id: string): Promise<OperatorRow> {
  const [row] = await db.select().from(operators).where(eq(operators.id, id));
  if (!row) throw new NotFoundError('Operator');
  return row;
}

export async function getOperator(deps: AppDeps, id: string) {
  const row = await loadOperator(deps.db, id);
  return { ...operatorView(row), recoveryCodesLeft: await remainingRecoveryCodes(deps, id) };
}

export type NewOperator = { email: string; displayName: string; role: Role; allTenants: boolean; tenantIds: string[] };

/** Creates an operator with a temporary password, returned once, to be changed at first sign-in. */
export async function createOperator(deps: AppDeps, actor: Actor, input: NewOperator, request: RequestInfo) {
  const email = input.email.trim().toLowerCase();
  const existing = await deps.db.select({ id: operators.id }).from(operators).where(eq(operators.email, email));
  if (existing.length > 0) throw new ConflictError(`An operator with the email ${email} already exists.`, 'email_taken');
  const password = temporaryPassword();
  const passwordHash = await hashPassword(password);
  const created = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(operators)
      .values({
        email,
        displayName: input.displayName.trim(),
        role: input.role,
        passwordHash,
        mustChangePassword: true,
        allTenants: input.allTenants,
        tenantIds: input.allTenants ? [] : input.tenantIds,
      })
      .returning();
    await recordAudit(tx, { action: 'operator.created', actor, targetType: 'operator', targetId: row!.id, after: auditSnapshot(row!), request });
    return row!;
  });
  return { operator: operatorView(created), temporaryPassword: password };
}

export type OperatorChanges = Partial<{ displayName: string; role: Role; status: 'active' | 'disabled'; allTenants: boolean; tenantIds: string[]; connectwiseMember: string | null }>;

export async function updateOperator(deps: AppDeps, actor: Actor, id: string, changes: OperatorChanges, request: RequestInfo): Promise<OperatorView> {
  return deps.db.transaction(async (tx) => {
    const before = await loadOperator(tx, id);
    const losesAdmin = before.role === 'admin' && before.status === 'active' && ((changes.role && changes.role !== 'admin') || changes.status === 'disabled');
    if (losesAdmin) {
      if (id === actor.operatorId) throw new ConflictError('You cannot remove your own admin rights or disable yourself; ask another admin.', 'self_demotion');
      await assertAnotherActiveAdmin(tx, id);
    }
    const next = {
      ...(changes.displayName !== undefined ? { displayName: changes.displayName.trim() } : {}),
      ...(changes.role !== undefined ? { role: changes.role } : {}),
      ...(changes.status !== undefined ? { status: changes.status } : {}),
      ...(changes.allTenants !== undefined ? { allTenants: changes.allTenants } : {}),
      ...(changes.tenantIds !== undefined ? { tenantIds: changes.tenantIds } : {}),
      ...(changes.connectwiseMember !== undefined ? { connectwiseMember: changes.connectwiseMember } : {}),
      updatedAt: deps.now(),
    };
    const [after] = await tx.update(operators).set(next).where(eq(operators.id, id)).returning();
    // A disabled operator, or one whose rights shrink, must not keep acting on old sessions.
    if (changes.status === 'disabled' || (changes.role && changes.role !== before.role)) await deleteSessionsOf(tx, id);
    const action: AuditAction =
      changes.role && changes.role !== before.role
        ? 'operator.role_changed'
        : changes.allTenants !== undefined || changes.tenantIds !== undefined
          ? 'operator.scope_changed'
          : changes.status
            ? `operator.${changes.status === 'disabled' ? 'disabled' : 'enabled'}`
            : 'operator.updated';
    await recordAudit(tx, { action, actor, targetType: 'operator', targetId: id, before: auditSnapshot(before), after: auditSnapshot(after!), request });
    return operatorView(after!);
  });
}

async function assertAnotherActiveAdmin(tx: Db, exceptId: string): Promise<void> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(operators)
    .where(and(eq(operators.role, 'admin'), eq(operators.status, 'active'), ne(operators.id, exceptId)));
  if ((row?.n ?? 0) === 0) throw new ConflictError('This is the last active admin; make someone else admin first.', 'last_admin');
}

/** Pending operators (first Entra ID sign-in) become active with the role the admin picks. */
export async function approveOperator(deps: AppDeps, actor: Actor, id: string, role: Role, request: RequestInfo, scope?: { allTenants: boolean; tenantIds: string[] }): Promise<OperatorView> {
  return deps.db.transaction(async (tx) => {
    const before = await loadOperator(tx, id);
    if (before.status !== 'pending') throw new ConflictError('Only operators waiting for approval can be approved.');
    const [after] = await tx
      .update(operators)
      .set({ status: 'active', role, ...(scope ? { allTenants: scope.allTenants, tenantIds: scope.allTenants ? [] : scope.tenantIds } : {}), updatedAt: deps.now() })
      .where(eq(operators.id, id))
      .returning();
    await recordAudit(tx, { action: 'operator.approved', actor, targetType: 'operator', targetId: id, before: auditSnapshot(before), after: auditSnapshot(after!), request });
    return operatorView(after!);
  });
}

export async function resetOperatorMfa(deps: AppDeps, actor: Actor, id: string, request: RequestInfo): Promise<OperatorView> {
  return deps.db.transaction(async (tx) => {
    const before = await loadOperator(tx, id);
    const [after] = await tx
      .update(operators)
      .set({ totpSecretEnc: null, pendingTotpSecretEnc: null, totpEnabledAt: null, totpLastStep: null, updatedAt: deps.now() })
      .where(eq(operators.id, id))
      .returning();
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.operatorId, id));
    await deleteSessionsOf(tx, id);
    await recordAudit(tx, { action: 'mfa.reset_by_admin', actor, targetType: 'operator', targetId: id, before: auditSnapshot(before), after: auditSnapshot(after!), request });
    return operatorView(after!);
  });
}

/** Admin reset: a new temporary password, shown once, to be changed at next sign-in. */
export async function resetOperatorPassword(deps: AppDeps, actor: Actor, id: string, request: RequestInfo) {
  const password = temporaryPassword();
  const passwordHash = await hashPassword(password);
  await deps.db.transaction(async (tx) => {
    await loadOperator(tx, id);
    await tx.update(operators).set({ passwordHash, mustChangePassword: true, failedLoginCount: 0, lockedUntil: null, updatedAt: deps.now() }).where(eq(operators.id, id));
    await deleteSessionsOf(tx, id);
    await recordAudit(tx, { action: 'operator.password_reset', actor, targetType: 'operator', targetId: id, request });
  });
  return { temporaryPassword: password };
}

export async function unlockOperator(deps: AppDeps, actor: Actor, id: string, request: RequestInfo): Promise<OperatorView> {
  return deps.db.transaction(async (tx) => {
    await loadOperator(tx, id);
    const [after] = await tx.update(operators).set({ failedLoginCount: 0, lockedUntil: null, updatedAt: deps.now() }).where(eq(operators.id, id)).returning();
    await recordAudit(tx, { action: 'operator.unlocked', actor, targetType: 'operator', targetId: id, request });
    return operatorView(after!);
  });
}

/** Changes one's own password; the current password is required even inside a session. */
export async function changeOwnPassword(deps: AppDeps, actor: Actor, currentPassword: string, newPassword: string, request: RequestInfo, keepSessionToken?: string): Promise<void> {
  const operator = await loadOperator(deps.db, actor.operatorId);
  if (!(await verifyPassword(operator.passwordHash, currentPassword))) {
    throw new ValidationError('The current password is not right.', [{ field: 'currentPassword', message: 'Not your current password' }]);
  }
  const problem = passwordProblem(newPassword, operator.email);
  if (problem) throw new ValidationError(problem, [{ field: 'newPassword', message: problem }]);
  if (await verifyPassword(operator.passwordHash, newPassword)) {
    throw new ValidationError('Choose a password different from the current one.', [{ field: 'newPassword', message: 'Same as the current password' }]);
  }
  const passwordHash = await hashPassword(newPassword);
  await deps.db.transaction(async (tx) => {
    await tx.update(operators).set({ passwordHash, mustChangePassword: false, passwordChangedAt: deps.now(), updatedAt: deps.now() }).where(eq(operators.id, operator.id));
    // Other sessions may belong to whoever knew the old password.
    await tx.delete(sessions).where(and(eq(sessions.operatorId, operator.id), keepSessionToken ? ne(sessions.idHash, sha256(keepSessionToken)) : sql`true`));
    await recordAudit(tx, { action: 'operator.password_changed', actor, targetType: 'operator', targetId: operator.id, request });
  });
}

export async function updateOwnProfile(deps: AppDeps, actor: Actor, displayName: string, request: RequestInfo): Promise<OperatorView> {
  return updateOperator(deps, actor, actor.operatorId, { displayName }, request);
}

export async function signOutEverywhere(deps: AppDeps, actor: Actor, operatorId: string, request: RequestInfo): Promise<{ sessionsEnded: number }> {
  return deps.db.transaction(async (tx) => {
    await loadOperator(tx, operatorId);
    const ended = await deleteSessionsOf(tx, operatorId);
    await recordAudit(tx, { action: 'auth.signed_out_everywhere', actor, targetType: 'operator', targetId: operatorId, after: { sessionsEnded: ended }, request });
    return { sessionsEnded: ended };
  });
}

