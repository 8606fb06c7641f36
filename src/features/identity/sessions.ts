import { createHash } from 'node:crypto';
import { and, eq, lt, or } from 'drizzle-orm';
import type { Db } from '../../db/connection.ts';
import { operators, sessions } from '../../db/schema/index.ts';
import type { AppDeps, RequestInfo } from '../kernel/deps.ts';
import { randomToken, sha256 } from './tokens.ts';

export type SessionRow = typeof sessions.$inferSelect;
export type OperatorRow = typeof operators.$inferSelect;

/**
 * The CSRF token of a session: a one-way function of the cookie token. A page can read it
 * (from /api/auth/session), a cross-site attacker cannot, and it reveals nothing of the cookie.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`csrf:${sessionToken}`).digest('base64url');
}

/** Creates a session and returns the cookie token, which is never stored. */
export async function createSession(
  deps: AppDeps,
  tx: Db,
  operatorId: string,
  stage: 'mfa' | 'full',
  request: RequestInfo,
  authMethod: 'password' | 'entra' = 'password',
): Promise<{ token: string; csrfToken: string }> {
  const token = randomToken();
  const csrfToken = csrfTokenFor(token);
  const now = deps.now();
  await tx.insert(sessions).values({
    idHash: sha256(token),
    operatorId,
    stage,
    authMethod,
    createdAt: now,
    lastSeenAt: now,
    // A session waiting for its second factor lives only a few minutes.
    expiresAt: new Date(now.getTime() + (stage === 'mfa' ? 10 : deps.config.sessionAbsoluteMinutes) * 60_000),
    ip: request.ip ?? null,
    userAgent: request.userAgent?.slice(0, 300) ?? null,
  });
  return { token, csrfToken };
}

export type LiveSession = { session: SessionRow; operator: OperatorRow };

/**
 * Whether a session (read now or kept in the access cache) may be used at `now`. Idle and
 * absolute timeouts are enforced here, so an expired session is refused even before the
 * clean-up job deletes it.
 */
export function sessionIsLive(deps: AppDeps, row: LiveSession, now: Date): boolean {
  const idleLimit = new Date(now.getTime() - deps.config.sessionIdleMinutes * 60_000);
  return row.session.expiresAt > now && row.session.lastSeenAt > idleLimit && row.operator.status === 'active';
}

/** Finds the live session for a cookie token and marks it used; a dead one is deleted. */
export async function findLiveSession(deps: AppDeps, token: string): Promise<LiveSession | undefined> {
  return findLiveSessionByHash(deps, sha256(token));
}

export async function findLiveSessionByHash(deps: AppDeps, idHash: string): Promise<LiveSession | undefined> {
  const rows = await deps.db
    .select({ session: sessions, operator: operators })
    .from(sessions)
    .innerJoin(operators, eq(sessions.operatorId, operators.id))
    .where(eq(sessions.idHash, idHash));
  const row = rows[0];
  if (!row) return undefined;
  if (!sessionIsLive(deps, row, deps.now())) {
    await deps.db.delete(sessions).where(eq(sessions.idHash, idHash));
    return undefined;
  }
  return touchSession(deps, row);
}

/** Writing on every request would cost a write per read; a minute's precision is plenty. Returns the row as it now is. */
export async function touchSession(deps: AppDeps, row: LiveSession): Promise<LiveSession> {
  const now = deps.now();
  if (now.getTime() - row.session.lastSeenAt.getTime() <= 60_000) return row;
  await deps.db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.idHash, row.session.idHash));
  return { ...row, session: { ...row.session, lastSeenAt: now } };
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.idHash, sha256(token)));
}

export async function deleteSessionsOf(db: Db, operatorId: string): Promise<number> {
  const deleted = await db.delete(sessions).where(eq(sessions.operatorId, operatorId)).returning({ id: sessions.idHash });
  return deleted.length;
}

/** Removes sessions past their absolute or idle limit; run by the housekeeping job. */
export async function deleteExpiredSessions(deps: AppDeps): Promise<number> {
  const now = deps.now();
  const idleLimit = new Date(now.getTime() - deps.config.sessionIdleMinutes * 60_000);
  const deleted = await deps.db
    .delete(sessions)
    .where(or(lt(sessions.expiresAt, now), lt(sessions.lastSeenAt, idleLimit)))
    .returning({ id: sessions.idHash });
  return deleted.length;
}

export async function sessionsOf(db: Db, operatorId: string) {
  return db
    .select({ createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt, ip: sessions.ip, userAgent: sessions.userAgent, stage: sessions.stage })
    .from(sessions)
    .where(and(eq(sessions.operatorId, operatorId), eq(sessions.stage, 'full')));
}
