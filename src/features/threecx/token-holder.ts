import { eq } from 'drizzle-orm';
import type { ThreeCxAuth, ThreeCxSession, ThreeCxTokenStore } from '../../connectors/threecx/auth.ts';
import { decryptSecret, encryptSecret } from '../../core/secret-box.ts';
import { threecxTokens } from '../../db/schema/index.ts';
import type { AppDeps } from '../kernel/deps.ts';

/**
 * The one token holder of a PBX sign-in for the whole installation (issue #15, item 1).
 *
 * 3CX keeps one active access token per API client: issuing a new one revokes the previous
 * (3cx/xapi-tutorial auth.ts, README "only one access token can be active at a time"). With
 * two web nodes and a worker each keeping its own token, every node's sign-in would revoke the
 * others' and they would chase each other through 401s. So the session lives in one database
 * row per PBX sign-in; a node renews it only while holding that row's lock (SELECT … FOR UPDATE
 * inside a transaction), and looks again once it has the lock, so a renewal another node just
 * made is reused instead of revoked. The admin sign-in's refresh token rotates (each is good
 * once), so it is kept in the same row under the same lock.
 */

/** Names the PBX and who signs in; two tenants on the same PBX and client share one holder. */
export function holderKey(baseUrl: string, auth: Pick<ThreeCxAuth, 'mode'> & { principal: string }): string {
  return `${baseUrl.replace(/\/+$/, '').toLowerCase()}|${auth.mode}|${auth.principal}`;
}

type Row = typeof threecxTokens.$inferSelect;

export class DbTokenStore implements ThreeCxTokenStore {
  private readonly deps: AppDeps;
  private readonly key: string;
  private readonly credential: string;

  /** `credential` is the client secret or admin password: a session opened with another one is not ours. */
  constructor(deps: AppDeps, key: string, credential: string) {
    this.deps = deps;
    this.key = key;
    this.credential = credential;
  }

  async read(): Promise<ThreeCxSession | undefined> {
    const [row] = await this.deps.db.select().from(threecxTokens).where(eq(threecxTokens.holderKey, this.key));
    return this.decode(row);
  }

  renew(usable: (stored: ThreeCxSession | undefined) => boolean, renew: (stored: ThreeCxSession | undefined) => Promise<ThreeCxSession>): Promise<ThreeCxSession> {
    return this.deps.db.transaction(async (tx) => {
      // The row must exist to be locked; the first node to get here creates it.
      await tx.insert(threecxTokens).values({ holderKey: this.key }).onConflictDoNothing();
      const [row] = await tx.select().from(threecxTokens).where(eq(threecxTokens.holderKey, this.key)).for('update');
      const stored = this.decode(row);
      if (stored && usable(stored)) return stored;
      // Only 3CX is called while the lock is held; a throw rolls back and leaves the session as it was.
      const next = await renew(stored);
      await tx
        .update(threecxTokens)
        .set({
          credentialEnc: encryptSecret(this.deps.keyring, this.credential),
          accessTokenEnc: encryptSecret(this.deps.keyring, next.accessToken),
          renewAt: new Date(next.renewAt),
          expiresAt: new Date(next.expiresAt),
          refreshTokenEnc: next.refreshToken ? encryptSecret(this.deps.keyring, next.refreshToken) : null,
          updatedAt: this.deps.now(),
        })
        .where(eq(threecxTokens.holderKey, this.key));
      return next;
    });
  }

  private decode(row: Row | undefined): ThreeCxSession | undefined {
    if (!row?.accessTokenEnc || !row.renewAt || !row.expiresAt || !row.credentialEnc) return undefined;
    try {
      // Another tenant's connection to the same PBX and client, saved with a different secret
      // (a wrong one, or an old one): its session must not be lent to this one.
      if (decryptSecret(this.deps.keyring, row.credentialEnc) !== this.credential) return undefined;
      return {
        accessToken: decryptSecret(this.deps.keyring, row.accessTokenEnc),
        renewAt: row.renewAt.getTime(),
        expiresAt: row.expiresAt.getTime(),
        refreshToken: row.refreshTokenEnc ? decryptSecret(this.deps.keyring, row.refreshTokenEnc) : null,
      };
    } catch {
      // Encrypted with a key no longer configured: treat as no session, the next renewal replaces it.
      return undefined;
    }
  }
}
