import { eq, sql } from 'drizzle-orm';
import { ConflictError, ValidationError } from '../../core/errors.ts';
import { passwordProblem } from '../../core/password-policy.ts';
import { operators } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { AppDeps } from '../kernel/deps.ts';
import { hashPassword } from './passwords.ts';
import { temporaryPassword } from './operators.ts';

/**
 * The first admin of a new installation. With no password given, a one-time password is
 * generated and returned for the console; it must be changed at first sign-in either way.
 */
export async function ensureFirstAdmin(deps: AppDeps, email: string, password?: string): Promise<{ created: false } | { created: true; email: string; oneTimePassword?: string }> {
  const [count] = await deps.db.select({ n: sql<number>`count(*)::int` }).from(operators);
  if ((count?.n ?? 0) > 0) return { created: false };
  const oneTime = password ? undefined : temporaryPassword();
  await createAdmin(deps, email, password ?? oneTime!, 'system (first start)');
  return { created: true, email, ...(oneTime ? { oneTimePassword: oneTime } : {}) };
}

/** `ucr create-admin`: adds an admin account, refusing an email that exists. */
export async function createAdmin(deps: AppDeps, email: string, password: string, by = 'ucr create-admin'): Promise<void> {
  const normalized = email.trim().toLowerCase();
  const problem = passwordProblem(password, normalized);
  if (problem) throw new ValidationError(`Password refused: ${problem}`);
  const exists = await deps.db.select({ id: operators.id }).from(operators).where(eq(operators.email, normalized));
  if (exists.length > 0) throw new ConflictError(`An operator with the email ${normalized} already exists.`);
  const passwordHash = await hashPassword(password);
  await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(operators)
      // Said, not left to the column default: an admin made from the command line manages every tenant.
      .values({ email: normalized, displayName: 'Administrator', role: 'admin', passwordHash, mustChangePassword: true, allTenants: true, tenantIds: [] })
      .returning();
    await recordAudit(tx, { action: 'operator.created', actor: { operatorId: null, label: by }, targetType: 'operator', targetId: row!.id, after: { email: normalized, role: 'admin' } });
  });
}
