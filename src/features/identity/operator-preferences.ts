import { and, eq } from 'drizzle-orm';
import { operatorPreferences } from '../../db/schema/index.ts';
import type { Actor, AppDeps } from '../kernel/deps.ts';

/** Small per-operator UI preferences (visible columns and the like), stored as JSON text. */
export async function readPreference(deps: AppDeps, actor: Actor, key: string): Promise<unknown> {
  const [row] = await deps.db.select().from(operatorPreferences).where(and(eq(operatorPreferences.operatorId, actor.operatorId), eq(operatorPreferences.key, key)));
  return row ? (JSON.parse(row.value) as unknown) : null;
}

export async function writePreference(deps: AppDeps, actor: Actor, key: string, value: unknown): Promise<void> {
  const text = JSON.stringify(value);
  await deps.db
    .insert(operatorPreferences)
    .values({ operatorId: actor.operatorId, key, value: text })
    .onConflictDoUpdate({ target: [operatorPreferences.operatorId, operatorPreferences.key], set: { value: text, updatedAt: deps.now() } });
}

export async function deletePreference(deps: AppDeps, actor: Actor, key: string): Promise<void> {
  await deps.db.delete(operatorPreferences).where(and(eq(operatorPreferences.operatorId, actor.operatorId), eq(operatorPreferences.key, key)));
}
