import { PgBoss, fromPglite } from 'pg-boss';
import type { Logger } from 'pino';
import type { Database } from '../db/connection.ts';

/**
 * The job queue lives in the app's own database (pg-boss, schema "pgboss"), on PostgreSQL
 * and on the embedded PGlite alike, so jobs survive restarts and several nodes share them.
 */
export type JobQueue = PgBoss;

export async function startQueue(database: Database, log: Logger, options: { runsSchedules: boolean }): Promise<JobQueue> {
  const boss =
    database.kind === 'postgres'
      ? new PgBoss({ connectionString: database.url, schema: 'pgboss', max: 4, schedule: options.runsSchedules, supervise: options.runsSchedules, application_name: 'ucr-manager' })
      : new PgBoss({ db: fromPglite(database.pglite), backend: 'pglite', schema: 'pgboss', schedule: options.runsSchedules, supervise: options.runsSchedules });
  boss.on('error', (error: Error) => log.error({ err: error }, 'job queue error'));
  boss.on('warning', (warning: { message?: string }) => log.warn({ warning: warning.message }, 'job queue warning'));
  await boss.start();
  return boss;
}
