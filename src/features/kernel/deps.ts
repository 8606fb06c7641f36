import type { Logger } from 'pino';
import type { Config } from '../../config/env.ts';
import type { Keyring } from '../../core/secret-box.ts';
import type { Database, Db } from '../../db/connection.ts';
import type { Role } from '../../core/roles.ts';
import type { JobQueue } from '../../jobs/queue.ts';

/** What every service needs; built once at start-up and passed down. */
export type AppDeps = {
  database: Database;
  db: Db;
  keyring: Keyring;
  config: Config;
  log: Logger;
  /** Injected so tests can move time instead of waiting for it. */
  now: () => Date;
  /** The job queue, once started; services enqueue follow-up work (polling Teams, retries) on it. */
  queue?: JobQueue;
};

/** The operator a request acts for, resolved from a session cookie or an API token. */
export type Actor = {
  operatorId: string;
  email: string;
  displayName: string;
  role: Role;
  allTenants: boolean;
  tenantIds: string[];
  via: 'session' | 'token';
  tokenAccess?: 'read' | 'read-write';
  tokenName?: string;
};

/** Per-request facts services record on audit events. */
export type RequestInfo = { requestId: string; ip: string | undefined; userAgent?: string | undefined };

export function actorLabel(actor: Actor): string {
  return actor.via === 'token' ? `${actor.email} (API token ${actor.tokenName ?? ''})`.trim() : actor.email;
}
