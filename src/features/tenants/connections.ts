import { and, eq, sql } from 'drizzle-orm';
import type { AuditAction } from '../../core/audit-actions.ts';
import { decryptSecret, encryptSecret } from '../../core/secret-box.ts';
import { tenantConnections, tenants } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import type { TenantRow } from './tenants.ts';

/**
 * A tenant's connections to external systems (Teams, 3CX, ConnectWise), kept in
 * `tenant_connections`: this module is the only one that writes that table. Each system
 * describes its connection once (a `TenantConnections` instance) and keeps only what is its
 * own — validation, the view it shows, how it builds its API client.
 */

export type ConnectionSystem = (typeof tenantConnections.system.enumValues)[number];

/** The last "Test connection", as the connection screens show it. */
export type LastConnectionTest = { at: string; ok: boolean; result: unknown };

/** A stored connection with its secrets decrypted: for the server only, never answered as is. */
export type StoredConnection<Settings, Secrets> = {
  tenantId: string;
  settings: Settings;
  secrets: Secrets;
  /** Changes with every save on any node sharing the database; cached clients are checked against it. */
  version: number;
  lastTest: LastConnectionTest | null;
};

type SecretValues = Partial<Record<string, string>>;

export type ConnectionKind<Settings, Secrets extends SecretValues> = {
  system: ConnectionSystem;
  /**
   * For each secret an operator enters, the flag that shows whether it is set (e.g. clientSecret →
   * clientSecretSet). Audit events carry these flags, never the values; a secret not named here
   * (a session the app keeps for itself) is left out of the audit trail altogether.
   */
  secretFlags: { [K in keyof Secrets]?: string };
  /** What the audit trail shows of the settings (e.g. a certificate by its thumbprint only); the settings as they are when not given. */
  auditedSettings?: (settings: Settings) => Record<string, unknown>;
};

type Row = typeof tenantConnections.$inferSelect;

export class TenantConnections<Settings, Secrets extends SecretValues, Client = never> {
  readonly system: ConnectionSystem;
  private readonly kind: ConnectionKind<Settings, Secrets>;
  /**
   * Built clients per app instance (their token caches and throttle gates are worth keeping),
   * each remembered with the version it was built from: a save on another node changes the
   * version, so the next use here builds afresh instead of carrying on with old credentials.
   */
  private readonly clients = new WeakMap<AppDeps, Map<string, { client: Client; version: number }>>();

  constructor(kind: ConnectionKind<Settings, Secrets>) {
    this.kind = kind;
    this.system = kind.system;
  }

  private where(tenantId: string) {
    return and(eq(tenantConnections.tenantId, tenantId), eq(tenantConnections.system, this.system));
  }

  private decode(deps: AppDeps, row: Row): StoredConnection<Settings, Secrets> {
    return {
      tenantId: row.tenantId,
      settings: row.settings as Settings,
      secrets: (row.secretEnc ? JSON.parse(decryptSecret(deps.keyring, row.secretEnc)) : {}) as Secrets,
      version: row.updatedAt.getTime(),
      lastTest: row.lastTestAt ? { at: row.lastTestAt.toISOString(), ok: Boolean(row.lastTestOk), result: row.lastTestResult } : null,
    };
  }

  async load(deps: AppDeps, tenantId: string): Promise<StoredConnection<Settings, Secrets> | undefined> {
    const [row] = await deps.db.select().from(tenantConnections).where(this.where(tenantId));
    return row ? this.decode(deps, row) : undefined;
  }

  /** The active tenants that have this connection, with it: for work that spans tenants (nightly sync, member lists). */
  async loadForActiveTenants(deps: AppDeps): Promise<Array<{ tenant: TenantRow; connection: StoredConnection<Settings, Secrets> }>> {
    const rows = await deps.db
      .select({ tenant: tenants, row: tenantConnections })
      .from(tenantConnections)
      .innerJoin(tenants, eq(tenants.id, tenantConnections.tenantId))
      .where(and(eq(tenantConnections.system, this.system), eq(tenants.status, 'active')));
    return rows.map(({ tenant, row }) => ({ tenant, connection: this.decode(deps, row) }));
  }

  /** What the audit trail may show: the settings and which secrets are set, never a secret. */
  private audited(connection: { settings: Settings; secrets: Secrets } | undefined): Record<string, unknown> | null {
    if (!connection) return null;
    const shown = this.kind.auditedSettings ? this.kind.auditedSettings(connection.settings) : { ...(connection.settings as Record<string, unknown>) };
    for (const [secret, flag] of Object.entries(this.kind.secretFlags) as Array<[string, string | undefined]>) {
      if (flag) shown[flag] = Boolean(connection.secrets[secret]);
    }
    return shown;
  }

  /**
   * Stores the connection (secrets encrypted) with one audit event, in one transaction. The
   * last test result is cleared: it spoke of the settings before. Callers merge the secrets
   * the operator left out (write-only fields) before, with `keepStoredSecrets`.
   */
  async save(deps: AppDeps, actor: Actor, tenantId: string, next: { settings: Settings; secrets: Secrets }, audit: { action: AuditAction; request: RequestInfo }): Promise<StoredConnection<Settings, Secrets>> {
    const settings = next.settings as Record<string, unknown>;
    const present = Object.fromEntries(Object.entries(next.secrets).filter(([, value]) => value !== undefined));
    const secretEnc = Object.keys(present).length ? encryptSecret(deps.keyring, JSON.stringify(present)) : null;
    const now = deps.now();
    await deps.db.transaction(async (tx) => {
      const [beforeRow] = await tx.select().from(tenantConnections).where(this.where(tenantId)).for('update');
      const before = beforeRow ? this.decode(deps, beforeRow) : undefined;
      await tx
        .insert(tenantConnections)
        .values({ tenantId, system: this.system, settings, secretEnc, updatedAt: now })
        .onConflictDoUpdate({
          target: [tenantConnections.tenantId, tenantConnections.system],
          // The version must move on every save, even when two nodes' clocks give the same millisecond.
          set: { settings, secretEnc, updatedAt: sql`greatest(${now.toISOString()}::timestamptz, ${tenantConnections.updatedAt} + interval '1 millisecond')`, lastTestAt: null, lastTestOk: null, lastTestResult: null },
        });
      await recordAudit(tx, { action: audit.action, actor, tenantId, targetType: `${this.system}_connection`, targetId: tenantId, before: this.audited(before), after: this.audited(next), request: audit.request });
    });
    this.forgetClient(deps, tenantId);
    const saved = await this.load(deps, tenantId);
    if (!saved) throw new Error(`The ${this.system} connection of tenant ${tenantId} was not stored.`);
    return saved;
  }

  /**
   * Deletes the connection: the row goes, and with it every secret (nothing is kept to undo
   * with). One audit event shows what was there, secrets only as "set" flags. The version check
   * of cached clients cannot catch a deletion (there is no row left to compare with), so the
   * client is dropped here, and on other nodes the next load finds no row and refuses as
   * "not set up". Answers false when there was nothing to delete (and audits nothing).
   */
  async remove(deps: AppDeps, actor: Actor, tenantId: string, audit: { action: AuditAction; request: RequestInfo }): Promise<boolean> {
    const removed = await deps.db.transaction(async (tx) => {
      const [beforeRow] = await tx.select().from(tenantConnections).where(this.where(tenantId)).for('update');
      if (!beforeRow) return false;
      await tx.delete(tenantConnections).where(this.where(tenantId));
      await recordAudit(tx, { action: audit.action, actor, tenantId, targetType: `${this.system}_connection`, targetId: tenantId, before: this.audited(this.decode(deps, beforeRow)), after: null, request: audit.request });
      return true;
    });
    this.forgetClient(deps, tenantId);
    return removed;
  }

  /** Records the outcome of a connection test and audits it (success or failure) in one transaction. */
  async recordTest(deps: AppDeps, actor: Actor, tenantId: string, result: { ok: boolean }, audit: { action: AuditAction; after: unknown; request: RequestInfo }): Promise<void> {
    await deps.db.transaction(async (tx) => {
      await tx.update(tenantConnections).set({ lastTestAt: deps.now(), lastTestOk: result.ok, lastTestResult: result }).where(this.where(tenantId));
      await recordAudit(tx, { action: audit.action, actor, tenantId, targetType: `${this.system}_connection`, targetId: tenantId, after: audit.after, result: result.ok ? 'success' : 'failure', request: audit.request });
    });
  }

  /**
   * Replaces the secrets the app itself rotates (a refreshed session) without counting as a save:
   * only while the connection is still the version the caller read, so a newer save is never undone.
   */
  async storeRotatedSecrets(deps: AppDeps, connection: StoredConnection<Settings, Secrets>, secrets: Secrets): Promise<void> {
    const secretEnc = encryptSecret(deps.keyring, JSON.stringify(secrets));
    await deps.db
      .update(tenantConnections)
      .set({ secretEnc })
      .where(and(this.where(connection.tenantId), eq(tenantConnections.updatedAt, new Date(connection.version))));
  }

  /** The client built earlier from this very version of the connection, if this app instance has one. */
  cachedClient(deps: AppDeps, connection: StoredConnection<Settings, Secrets>): Client | undefined {
    const cached = this.clients.get(deps)?.get(connection.tenantId);
    return cached && cached.version === connection.version ? cached.client : undefined;
  }

  keepClient(deps: AppDeps, connection: StoredConnection<Settings, Secrets>, client: Client): Client {
    let clients = this.clients.get(deps);
    if (!clients) this.clients.set(deps, (clients = new Map()));
    clients.set(connection.tenantId, { client, version: connection.version });
    return client;
  }

  forgetClient(deps: AppDeps, tenantId: string): void {
    this.clients.get(deps)?.delete(tenantId);
  }
}

/** Secrets are write-only: one the operator leaves out keeps its stored value. */
export function keepStoredSecrets<Secrets extends SecretValues>(stored: Secrets | undefined, entered: Secrets): Secrets {
  const merged: SecretValues = { ...stored };
  for (const [name, value] of Object.entries(entered)) if (value !== undefined) merged[name] = value;
  return merged as Secrets;
}
