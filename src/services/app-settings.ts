import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/connection.ts';
import { appSettings } from '../db/schema/index.ts';

/** Settings an admin changes at run time, with their defaults. */
export const settingsSchema = z.object({
  mfaRequired: z.boolean(),
  lockoutThreshold: z.number().int().min(3).max(50),
  lockoutMinutes: z.number().int().min(1).max(24 * 60),
});
export type AppSettings = z.infer<typeof settingsSchema>;

export const defaultSettings: AppSettings = { mfaRequired: false, lockoutThreshold: 5, lockoutMinutes: 15 };

export async function readSettings(db: Db): Promise<AppSettings> {
  const rows = await db.select().from(appSettings);
  const stored = Object.fromEntries(rows.map((r) => [r.key, r.value]));
  const merged = settingsSchema.safeParse({ ...defaultSettings, ...stored });
  return merged.success ? merged.data : defaultSettings;
}

export async function writeSettings(db: Db, changes: Partial<AppSettings>): Promise<void> {
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    const existing = await db.select().from(appSettings).where(eq(appSettings.key, key));
    if (existing.length > 0) {
      await db.update(appSettings).set({ value, updatedAt: new Date() }).where(eq(appSettings.key, key));
    } else {
      await db.insert(appSettings).values({ key, value });
    }
  }
}
