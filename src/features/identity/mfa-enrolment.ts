import { randomInt } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { ConflictError, ValidationError } from '../../core/errors.ts';
import { decryptSecret, encryptSecret } from '../../core/secret-box.ts';
import { operators, recoveryCodes } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { checkTotp, newTotpSecret, totpEnrolmentMaterial } from './totp.ts';
import { sha256 } from './tokens.ts';

const RECOVERY_CODE_COUNT = 10;
// No 0/O or 1/I/L: recovery codes get read off paper.
const RECOVERY_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export function normalizeRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

function newRecoveryCode(): string {
  const chars = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** Starts enrolment: a fresh secret, kept encrypted until the operator proves it with a code. */
export async function startTotpEnrolment(deps: AppDeps, actor: Actor) {
  const secret = newTotpSecret();
  await deps.db.update(operators).set({ pendingTotpSecretEnc: encryptSecret(deps.keyring, secret), updatedAt: deps.now() }).where(eq(operators.id, actor.operatorId));
  const { uri, qrSvg } = await totpEnrolmentMaterial(secret, actor.email);
  return { secret, uri, qrSvg };
}

/** Confirms enrolment with a code from the app and returns the recovery codes, shown once. */
export async function confirmTotpEnrolment(deps: AppDeps, actor: Actor, code: string, request: RequestInfo): Promise<{ recoveryCodes: string[] }> {
  const [operator] = await deps.db.select().from(operators).where(eq(operators.id, actor.operatorId));
  if (!operator?.pendingTotpSecretEnc) throw new ConflictError('Start the enrolment first: there is no authenticator secret waiting to be confirmed.');
  const step = await checkTotp(decryptSecret(deps.keyring, operator.pendingTotpSecretEnc), code.replace(/\s/g, ''), null, deps.now());
  if (step === undefined) {
    throw new ValidationError('That code does not match. Check that your device clock is right and enter the newest code.', [{ field: 'code', message: 'Code does not match' }]);
  }
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await deps.db.transaction(async (tx) => {
    await tx
      .update(operators)
      .set({ totpSecretEnc: operator.pendingTotpSecretEnc, pendingTotpSecretEnc: null, totpEnabledAt: deps.now(), totpLastStep: step, updatedAt: deps.now() })
      .where(eq(operators.id, operator.id));
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.operatorId, operator.id));
    await tx.insert(recoveryCodes).values(codes.map((c) => ({ operatorId: operator.id, codeHash: sha256(normalizeRecoveryCode(c)) })));
    await recordAudit(tx, { action: 'mfa.enrolled', actor, targetType: 'operator', targetId: operator.id, request });
  });
  return { recoveryCodes: codes };
}

/** New recovery codes replace all old ones. */
export async function regenerateRecoveryCodes(deps: AppDeps, actor: Actor, request: RequestInfo): Promise<{ recoveryCodes: string[] }> {
  const [operator] = await deps.db.select().from(operators).where(eq(operators.id, actor.operatorId));
  if (!operator?.totpSecretEnc) throw new ConflictError('Set up an authenticator app first; recovery codes belong to it.');
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await deps.db.transaction(async (tx) => {
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.operatorId, operator.id));
    await tx.insert(recoveryCodes).values(codes.map((c) => ({ operatorId: operator.id, codeHash: sha256(normalizeRecoveryCode(c)) })));
    await recordAudit(tx, { action: 'mfa.recovery_codes_regenerated', actor, targetType: 'operator', targetId: operator.id, request });
  });
  return { recoveryCodes: codes };
}

export async function remainingRecoveryCodes(deps: AppDeps, operatorId: string): Promise<number> {
  const rows = await deps.db.select({ usedAt: recoveryCodes.usedAt }).from(recoveryCodes).where(eq(recoveryCodes.operatorId, operatorId));
  return rows.filter((r) => r.usedAt === null).length;
}
