import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import { apiTokens, operators } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { randomToken, sha256 } from './tokens.ts';
import type { OperatorRow } from './sessions.ts';

export const TOKEN_PREFIX = 'ucr_';

export type ApiTokenView = {
  id: string;
  name: string;
  prefix: string;
  access: 'read' | 'read-write';
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
};

function view(row: typeof apiTokens.$inferSelect): ApiTokenView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    access: row.access,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function listOwnTokens(deps: AppDeps, actor: Actor): Promise<ApiTokenView[]> {
  const rows = await deps.db.select().from(apiTokens).where(eq(apiTokens.operatorId, actor.operatorId)).orderBy(desc(apiTokens.createdAt));
  return rows.map(view);
}

/** Creates a token and returns it once; only its hash is kept. */
export async function createToken(
  deps: AppDeps,
  actor: Actor,
  input: { name: string; access: 'read' | 'read-write'; expiresAt?: Date | undefined },
  request: RequestInfo,
): Promise<{ token: string; apiToken: ApiTokenView }> {
  if (input.expiresAt && input.expiresAt <= deps.now()) {
    throw new ValidationError('The expiry date must be in the future.', [{ field: 'expiresAt', message: 'Must be in the future' }]);
  }
  const token = `${TOKEN_PREFIX}${randomToken()}`;
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiTokens)
      .values({ operatorId: actor.operatorId, name: input.name.trim(), tokenHash: sha256(token), prefix: token.slice(0, 10), access: input.access, expiresAt: input.expiresAt ?? null })
      .returning();
    await recordAudit(tx, { action: 'api_token.created', actor, targetType: 'api_token', targetId: row!.id, after: { name: row!.name, access: row!.access, expiresAt: row!.expiresAt }, request });
    return { token, apiToken: view(row!) };
  });
}

export async function revokeOwnToken(deps: AppDeps, actor: Actor, id: string, request: RequestInfo): Promise<ApiTokenView> {
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .update(apiTokens)
      .set({ revokedAt: deps.now() })
      .where(and(eq(apiTokens.id, id), eq(apiTokens.operatorId, actor.operatorId), isNull(apiTokens.revokedAt)))
      .returning();
    if (!row) throw new NotFoundError('Active API token');
    await recordAudit(tx, { action: 'api_token.revoked', actor, targetType: 'api_token', targetId: id, before: { name: row.name }, request });
    return view(row);
  });
}

/** The token lookup runs on every API call: built once per database and prepared, not rebuilt each time. */
const preparedLookups = new WeakMap<AppDeps['db'], ReturnType<typeof prepareTokenLookup>>();
function prepareTokenLookup(db: AppDeps['db']) {
  return db
    .select({ token: apiTokens, operator: operators })
    .from(apiTokens)
    .innerJoin(operators, eq(apiTokens.operatorId, operators.id))
    .where(eq(apiTokens.tokenHash, sql.placeholder('hash')))
    .prepare('ucr_find_live_token');
}
function tokenLookup(db: AppDeps['db']) {
  let lookup = preparedLookups.get(db);
  if (!lookup) preparedLookups.set(db, (lookup = prepareTokenLookup(db)));
  return lookup;
}

export type LiveToken = { token: typeof apiTokens.$inferSelect; operator: OperatorRow };

/** The hash a token is stored and cached under; undefined for something that is not one of our tokens. */
export function tokenKey(token: string): string | undefined {
  return token.startsWith(TOKEN_PREFIX) ? sha256(token) : undefined;
}

/** Whether a token (read now or kept in the access cache) may still be used at `now`. */
export function tokenIsLive(row: LiveToken, now: Date): boolean {
  return !row.token.revokedAt && !(row.token.expiresAt && row.token.expiresAt <= now) && row.operator.status === 'active';
}

/** Resolves a bearer token to its operator; undefined when unknown, revoked, expired or the operator cannot sign in. */
export async function findLiveToken(deps: AppDeps, token: string): Promise<LiveToken | undefined> {
  const hash = tokenKey(token);
  return hash ? findLiveTokenByHash(deps, hash) : undefined;
}

export async function findLiveTokenByHash(deps: AppDeps, hash: string): Promise<LiveToken | undefined> {
  const rows = await tokenLookup(deps.db).execute({ hash });
  const row = rows[0];
  if (!row || !tokenIsLive(row, deps.now())) return undefined;
  return touchToken(deps, row);
}

/** Last-used to the minute is enough and spares a write per request under load; returns the row as it now is. */
export async function touchToken(deps: AppDeps, row: LiveToken): Promise<LiveToken> {
  const now = deps.now();
  if (row.token.lastUsedAt && now.getTime() - row.token.lastUsedAt.getTime() <= 60_000) return row;
  await deps.db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.token.id));
  return { ...row, token: { ...row.token, lastUsedAt: now } };
}
