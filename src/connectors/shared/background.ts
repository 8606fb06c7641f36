import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Marks work done by a queue worker, so the connectors it reaches behave as background work
 * should: wait out a vendor's whole Retry-After (minutes, if need be) instead of answering a
 * person "try again at …". Set once at each job's entry; everything the job calls inherits it.
 */
const background = new AsyncLocalStorage<true>();

export function asBackgroundJob<T>(work: () => Promise<T>): Promise<T> {
  return background.run(true, work);
}

export function inBackgroundJob(): boolean {
  return background.getStore() === true;
}
