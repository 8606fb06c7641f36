import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { ConflictError } from '../../core/errors.ts';
import type { Db } from '../../db/connection.ts';
import { appSettings, operators } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';

/** Settings an admin changes at run time, with their defaults. */
export const settingsSchema = z.object({
  mfaRequired: z.boolean(),
  lockoutThreshold: z.number().int().min(3).max(50),
  lockoutMinutes: z.number().int().min(1).max(24 * 60),
  // Defaults for every tenant that does not set its own (B5).
  teamsEnabled: z.boolean(),
  threecxEnabled: z.boolean(),
  connectwiseEnabled: z.boolean(),
  manualNumberEntry: z.boolean(),
  coolingDays: z.number().int().min(0).max(365),
  // Audit events older than this many days are deleted by the daily retention job; null keeps
  // them forever (the default: deleting evidence must be an admin's deliberate choice).
  auditRetentionDays: z.number().int().min(30).max(3650).nullable(),
  // A range is running out below this many free numbers (or at 90 % in use): the Overview and the
  // "Ranges running out" report (#19) flag it.
  rangeLowFree: z.number().int().min(0).max(100_000),
  // Opening a tenant's Teams users refreshes the directory in the background when its last full
  // sync is older than this many minutes.
  usersStaleMinutes: z.number().int().min(1).max(1440),
});
export type AppSettings = z.infer<typeof settingsSchema>;

export const defaultSettings: AppSettings = {
  mfaRequired: false,
  lockoutThreshold: 5,
  lockoutMinutes: 15,
  teamsEnabled: true,
  threecxEnabled: true,
  connectwiseEnabled: true,
  manualNumberEntry: false,
  coolingDays: 30,
  auditRetentionDays: null,
  rangeLowFree: 10,
  usersStaleMinutes: 15,
};

// Read on every request, so cached briefly; other nodes see a change within CACHE_MS.
const CACHE_MS = 5_000;
let cache: { at: number; settings: AppSettings; db: Db } | undefined;

export async function cachedSettings(db: Db): Promise<AppSettings> {
  if (!cache || cache.db !== db || Date.now() - cache.at > CACHE_MS) cache = { at: Date.now(), settings: await readSettings(db), db };
  return cache.settings;
}

export async function readSettings(db: Db): Promise<AppSettings> {
  const rows = await db.select().from(appSettings);
  const stored = Object.fromEntries(rows.map((r) => [r.key, r.value]));
  const merged = settingsSchema.safeParse({ ...defaultSettings, ...stored });
  return merged.success ? merged.data : defaultSettings;
}

export async function writeSettings(db: Db, changes: Partial<AppSettings>): Promise<void> {
  cache = undefined;
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    // A setting switched off (null) is stored as JSON null: the column itself is NOT NULL.
    const stored = value === null ? sql`'null'::jsonb` : value;
    const existing = await db.select().from(appSettings).where(eq(appSettings.key, key));
    if (existing.length > 0) {
      await db.update(appSettings).set({ value: stored, updatedAt: new Date() }).where(eq(appSettings.key, key));
    } else {
      await db.insert(appSettings).values({ key, value: stored });
    }
  }
}

/** An admin changes settings; requiring MFA for everyone needs MFA on the admin's own account first. */
export async function changeSettings(deps: AppDeps, actor: Actor, changes: Partial<AppSettings>, request: RequestInfo): Promise<AppSettings> {
  return deps.db.transaction(async (tx) => {
    const before = await readSettings(tx);
    if (changes.mfaRequired && !before.mfaRequired) {
      const [me] = await tx.select({ totp: operators.totpSecretEnc }).from(operators).where(eq(operators.id, actor.operatorId));
      if (!me?.totp) throw new ConflictError('Set up MFA on your own account before requiring it for everyone.', 'mfa_needed_first');
    }
    await writeSettings(tx, changes);
    const after = await readSettings(tx);
    await recordAudit(tx, { action: 'settings.changed', actor, targetType: 'settings', targetId: 'security', before, after, request });
    return after;
  });
}
