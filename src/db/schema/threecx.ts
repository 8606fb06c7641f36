import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The one 3CX session of a PBX sign-in, shared by every node of the installation. 3CX keeps one
 * active access token per API client (issuing a new one revokes the previous), so the token
 * cannot live in each process: it lives here, renewed by whichever node holds the row lock.
 * `holderKey` names the PBX and the principal (API client id or admin username), never a secret.
 * Both tokens are secret-box values, and so is `credentialEnc`: the secret (or password) the
 * session was opened with, so a connection saved with another secret never borrows this session.
 */
export const threecxTokens = pgTable('threecx_tokens', {
  holderKey: text('holder_key').primaryKey(),
  credentialEnc: text('credential_enc'),
  accessTokenEnc: text('access_token_enc'),
  /** When to renew: a little before 3CX's expiry, so no call leaves with a dying token. */
  renewAt: timestamp('renew_at', { withTimezone: true }),
  expiresAt: timestamp('expires_at', { withTimezone: true }),
  /** Admin sign-in only: the rotating refresh token (each is good once). */
  refreshTokenEnc: text('refresh_token_enc'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
