import type { AppDeps } from '../kernel/deps.ts';
import { expireCoolingAndReservations, fillMissingCountries } from './number-store.ts';
import { snapshotUtilisation } from './utilisation.ts';
import type { JobQueue } from '../../jobs/queue.ts';

export const INVENTORY_EXPIRY_QUEUE = 'inventory-expiry';
export const UTILISATION_SNAPSHOT_QUEUE = 'utilisation-snapshot';

/**
 * Expiry runs hourly rather than daily: a reservation that ends at 09:00 should not hold the
 * number until midnight. Snapshots run daily, just after midnight UTC.
 */
export async function declareInventoryJobs(queue: JobQueue): Promise<void> {
  await queue.createQueue(INVENTORY_EXPIRY_QUEUE);
  await queue.schedule(INVENTORY_EXPIRY_QUEUE, '5 * * * *');
  await queue.createQueue(UTILISATION_SNAPSHOT_QUEUE);
  await queue.schedule(UTILISATION_SNAPSHOT_QUEUE, '10 0 * * *');
}

export async function workInventoryJobs(queue: JobQueue, deps: AppDeps, pollingIntervalSeconds = 2): Promise<void> {
  // Numbers from before the country was stored get it once; afterwards every write sets it.
  const filled = await fillMissingCountries(deps.db);
  if (filled > 0) deps.log.info({ filled }, 'numbers given their country');
  await queue.work(INVENTORY_EXPIRY_QUEUE, { pollingIntervalSeconds }, async () => {
    const result = await expireCoolingAndReservations(deps);
    deps.log.info(result, 'cooling and reservation expiry done');
    return result;
  });
  await queue.work(UTILISATION_SNAPSHOT_QUEUE, { pollingIntervalSeconds }, async () => {
    const rows = await snapshotUtilisation(deps);
    return { rows };
  });
}
