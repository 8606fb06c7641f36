import { and, eq, isNull, sql } from 'drizzle-orm';
import { TooManyAttemptsError, UnauthenticatedError } from '../../core/errors.ts';
import { decryptSecret } from '../../core/secret-box.ts';
import { SIGN_IN_MESSAGES } from '../../core/sign-in-messages.ts';
import { operators, recoveryCodes, sessions } from '../../db/schema/index.ts';
import type { Db } from '../../db/connection.ts';
import { readSettings } from '../settings/app-settings.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { AppDeps, RequestInfo } from '../kernel/deps.ts';
import { verifyPassword } from './passwords.ts';
import { createSession, type OperatorRow } from './sessions.ts';
import { checkTotp } from './totp.ts';
import { sha256 } from './tokens.ts';
import { normalizeRecoveryCode } from './mfa-enrolment.ts';

export type SignInResult = { token: string; csrfToken: string; stage: 'mfa' | 'full' };

const WRONG_CREDENTIALS = 'Email or password is incorrect.';

/**
 * Password step of sign-in. Failures are counted per account and lock it for a while after
 * the configured number in a row; the lock is reported only once the account is locked, so
 * the message does not reveal which emails exist.
 */
export async function signInWithPassword(deps: AppDeps, email: string, password: string, request: RequestInfo): Promise<SignInResult> {
  const normalized = email.trim().toLowerCase();
  const operator = (await deps.db.select().from(operators).where(eq(operators.email, normalized)))[0];
  const settings = await readSettings(deps.db);
  if (!operator) {
    await verifyPassword(null, password);
    await recordAudit(deps.db, { action: 'auth.sign_in', result: 'failure', actor: { operatorId: null, label: normalized }, error: 'unknown email', request });
    throw new UnauthenticatedError(WRONG_CREDENTIALS, 'wrong_credentials');
  }
  assertNotLocked(deps, operator);
  const ok = await verifyPassword(operator.passwordHash, password);
  if (!ok) {
    await countFailure(deps, operator, settings, 'wrong password', request);
    throw new UnauthenticatedError(WRONG_CREDENTIALS, 'wrong_credentials');
  }
  if (operator.status === 'pending') throw new UnauthenticatedError(SIGN_IN_MESSAGES.pending_approval, 'pending_approval');
  if (operator.status === 'disabled') throw new UnauthenticatedError(SIGN_IN_MESSAGES.account_disabled, 'account_disabled');

  const stage = operator.totpSecretEnc ? 'mfa' : 'full';
  return deps.db.transaction(async (tx) => {
    await tx.update(operators).set({ failedLoginCount: 0, lockedUntil: null, ...(stage === 'full' ? { lastLoginAt: deps.now() } : {}) }).where(eq(operators.id, operator.id));
    const created = await createSession(deps, tx, operator.id, stage, request);
    await recordAudit(tx, {
      action: stage === 'full' ? 'auth.sign_in' : 'auth.password_accepted',
      actor: { operatorId: operator.id, label: operator.email },
      targetType: 'operator',
      targetId: operator.id,
      request,
    });
    return { ...created, stage };
  });
}

/**
 * Second step: a TOTP code or a single-use recovery code. Success replaces the session with a
 * new one (new cookie), so a token seen before the second factor is worth nothing after it.
 */
export async function completeMfa(
  deps: AppDeps,
  sessionToken: string,
  operator: OperatorRow,
  input: { code?: string | undefined; recoveryCode?: string | undefined },
  request: RequestInfo,
): Promise<SignInResult> {
  const settings = await readSettings(deps.db);
  assertNotLocked(deps, operator);
  let acceptedStep: number | undefined;
  let usedRecoveryCodeId: string | undefined;
  if (input.code && operator.totpSecretEnc) {
    acceptedStep = await checkTotp(decryptSecret(deps.keyring, operator.totpSecretEnc), input.code.replace(/\s/g, ''), operator.totpLastStep, deps.now());
  } else if (input.recoveryCode) {
    const hash = sha256(normalizeRecoveryCode(input.recoveryCode));
    const match = await deps.db
      .select({ id: recoveryCodes.id })
      .from(recoveryCodes)
      .where(and(eq(recoveryCodes.operatorId, operator.id), eq(recoveryCodes.codeHash, hash), isNull(recoveryCodes.usedAt)));
    usedRecoveryCodeId = match[0]?.id;
  }
  if (acceptedStep === undefined && usedRecoveryCodeId === undefined) {
    await countFailure(deps, operator, settings, input.recoveryCode ? 'wrong recovery code' : 'wrong TOTP code', request);
    throw new UnauthenticatedError('That code is not valid. Check the time on your device and try the newest code.', 'wrong_mfa_code');
  }
  return deps.db.transaction(async (tx) => {
    if (usedRecoveryCodeId) {
      // The usedAt guard makes a code usable once even when two requests race.
      const used = await tx
        .update(recoveryCodes)
        .set({ usedAt: deps.now() })
        .where(and(eq(recoveryCodes.id, usedRecoveryCodeId), isNull(recoveryCodes.usedAt)))
        .returning({ id: recoveryCodes.id });
      if (used.length === 0) throw new UnauthenticatedError('That recovery code has already been used.', 'wrong_mfa_code');
    }
    await tx
      .update(operators)
      .set({ failedLoginCount: 0, lockedUntil: null, lastLoginAt: deps.now(), ...(acceptedStep !== undefined ? { totpLastStep: acceptedStep } : {}) })
      .where(eq(operators.id, operator.id));
    await tx.delete(sessions).where(eq(sessions.idHash, sha256(sessionToken)));
    const created = await createSession(deps, tx, operator.id, 'full', request);
    await recordAudit(tx, {
      action: 'auth.sign_in',
      actor: { operatorId: operator.id, label: operator.email },
      targetType: 'operator',
      targetId: operator.id,
      after: { secondFactor: usedRecoveryCodeId ? 'recovery code' : 'totp' },
      request,
    });
    return { ...created, stage: 'full' as const };
  });
}

function assertNotLocked(deps: AppDeps, operator: OperatorRow): void {
  const now = deps.now();
  if (operator.lockedUntil && operator.lockedUntil > now) {
    const seconds = Math.ceil((operator.lockedUntil.getTime() - now.getTime()) / 1000);
    throw new TooManyAttemptsError(
      `Too many failed sign-in attempts. This account is locked for ${Math.ceil(seconds / 60)} more minute(s).`,
      seconds,
    );
  }
}

async function countFailure(
  deps: AppDeps,
  operator: OperatorRow,
  settings: { lockoutThreshold: number; lockoutMinutes: number },
  reason: string,
  request: RequestInfo,
): Promise<void> {
  await deps.db.transaction(async (tx: Db) => {
    // Count in SQL so concurrent failures are all counted.
    const [row] = await tx
      .update(operators)
      .set({ failedLoginCount: sqlIncrement() })
      .where(eq(operators.id, operator.id))
      .returning({ count: operators.failedLoginCount });
    const count = row?.count ?? 0;
    const locks = count >= settings.lockoutThreshold;
    if (locks) {
      await tx
        .update(operators)
        .set({ failedLoginCount: 0, lockedUntil: new Date(deps.now().getTime() + settings.lockoutMinutes * 60_000) })
        .where(eq(operators.id, operator.id));
    }
    await recordAudit(tx, {
      action: 'auth.sign_in',
      result: 'failure',
      actor: { operatorId: operator.id, label: operator.email },
      targetType: 'operator',
      targetId: operator.id,
      error: locks ? `${reason}; account locked for ${settings.lockoutMinutes} minutes` : reason,
      after: { failedAttempts: count },
      request,
    });
  });
}

function sqlIncrement() {
  return sql`${operators.failedLoginCount} + 1`;
}
