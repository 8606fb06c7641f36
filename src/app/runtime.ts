import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/env.ts';
import { AppError, ValidationError } from '../core/errors.ts';
import { lockDataDir } from '../db/data-dir-lock.ts';
import { openDatabase, type Database } from '../db/connection.ts';
import { runMigrations } from '../db/migrate.ts';
import { buildHttpApp } from './http-app.ts';
import { declareIdentityJobs, workIdentityJobs } from '../features/identity/jobs.ts';
import { declareAuditJobs, workAuditJobs } from '../features/audit/jobs.ts';
import { declareInventoryJobs, workInventoryJobs } from '../features/numbers/jobs.ts';
import { declareBulkJobs, workBulkJobs } from '../features/bulk/jobs.ts';
import { declareResourceAccountJobs, workResourceAccountJobs } from '../features/voice-apps/jobs.ts';
import { declareLifecycleJobs, workLifecycleJobs } from '../features/lifecycle/jobs.ts';
import { declareTeamsJobs, declareVoiceJobs, workTeamsJobs, workVoiceJobs } from '../features/teams/jobs.ts';
import { declareTicketJobs, workTicketJobs } from '../features/connectwise/jobs.ts';
import { startQueue, type JobQueue } from '../jobs/queue.ts';
import type { AppDeps } from '../features/kernel/deps.ts';
import { ensureFirstAdmin } from '../features/identity/first-admin.ts';
import { connectDemoTenant, seedDemoTenant } from '../features/demo/demo-tenant.ts';
import { loadKeyring } from '../features/kernel/keyring-store.ts';

export type RunningNode = { deps: AppDeps; http?: FastifyInstance; queue: JobQueue; url?: string; stop(): Promise<void> };

export async function openDeps(config: Config, log: Logger): Promise<{ deps: AppDeps; database: Database }> {
  const database = await openDatabase(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { pgliteDataDir: config.dataDir });
  const keys = loadKeyring({ encryptionKey: config.encryptionKey, oldKeys: config.encryptionOldKeys, dataDir: config.dataDir });
  if (keys.kind === 'key-file') {
    log.warn(
      { keyFile: keys.file, generated: keys.generated },
      'Secrets are encrypted with a key file stored next to the data. Fine for a trial; in production set UCR_ENCRYPTION_KEY and keep it apart from database backups.',
    );
  }
  const deps: AppDeps = { database, db: database.db, keyring: keys.keyring, config, log, now: () => new Date() };
  return { deps, database };
}

/**
 * Starts one node: `web` serves HTTP, `worker` runs jobs, `all` (the default) does both.
 * Migrations run first, under a lock, so any node can be started first.
 */
export async function startNode(config: Config, log: Logger): Promise<RunningNode> {
  const started = Date.now();
  // Where the start's time goes, in the ready line: P4 is judged on it (docs/performance.md).
  const phasesMs: Record<string, number> = {};
  let phaseStarted = started;
  const phase = (name: string) => {
    const now = Date.now();
    phasesMs[name] = now - phaseStarted;
    phaseStarted = now;
  };
  const unlock = config.databaseUrl ? () => {} : lockDataDir(config.dataDir);
  const { deps, database } = await openDeps(config, log);
  phase('open');
  await runMigrations(database);
  phase('migrate');
  const runsJobs = config.role !== 'web';
  const queue = await startQueue(database, log, { runsSchedules: runsJobs });
  deps.queue = queue;
  await declareIdentityJobs(queue);
  await declareAuditJobs(queue);
  await declareInventoryJobs(queue);
  await declareVoiceJobs(queue);
  await declareBulkJobs(queue);
  await declareResourceAccountJobs(queue);
  await declareLifecycleJobs(queue);
  await declareTeamsJobs(queue);
  await declareTicketJobs(queue);
  phase('queue');
  if (runsJobs) {
    await workIdentityJobs(queue, deps);
    await workAuditJobs(queue, deps);
    await workInventoryJobs(queue, deps);
    await workVoiceJobs(queue, deps);
    await workBulkJobs(queue, deps);
    await workResourceAccountJobs(queue, deps);
    await workLifecycleJobs(queue, deps);
    await workTeamsJobs(queue, deps);
    await workTicketJobs(queue, deps);
    phase('workers');
  }

  let http: FastifyInstance | undefined;
  let url: string | undefined;
  if (config.role !== 'worker') {
    const first = await ensureFirstAdmin(deps, config.adminEmail, config.adminPassword).catch((error: Error) => {
      // A refused UCR_ADMIN_PASSWORD must stop the start: otherwise nobody could ever sign in.
      if (error instanceof ValidationError) throw new AppError(2, 'config', `Configuration error: UCR_ADMIN_PASSWORD: ${error.message}`);
      // Another node created it at the same moment.
      log.debug({ err: error }, 'first admin not created here');
      return { created: false as const };
    });
    if (first.created) announceFirstAdmin(first.email, first.oneTimePassword);
    phase('firstAdmin');
    if (config.demo) {
      await seedDemoTenant(deps);
      phase('demoSeed');
      await connectDemoTenant(deps);
      phase('demoConnect');
    }
    const https = config.tls ? { key: readFileSync(config.tls.keyFile), cert: readFileSync(config.tls.certFile) } : undefined;
    http = await buildHttpApp(deps, { ...(https ? { https } : {}) });
    await http.listen({ port: config.port, host: config.host });
    phase('http');
    const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    url = `${https ? 'https' : 'http'}://${shownHost}:${config.port}`;
    if (!https && !config.publicUrl?.startsWith('https:') && !config.trustProxy) {
      log.warn('Serving plain HTTP. Put TLS in front (UCR_TLS_CERT_FILE/UCR_TLS_KEY_FILE or a reverse proxy with UCR_TRUST_PROXY=true) before anyone signs in over a network.');
    }
  }
  log.info({ role: config.role, database: database.kind, url, startupMs: Date.now() - started, phasesMs, sinceProcessStartMs: Math.round(performance.now()) }, 'UCR Manager is ready');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log.info('shutting down: finishing requests and jobs in progress');
      await http?.close();
      await queue.stop({ graceful: true, timeout: 15_000 });
      await database.close();
      unlock();
    })());
  return { deps, http, queue, ...(url ? { url } : {}), stop };
}

function announceFirstAdmin(email: string, oneTimePassword: string | undefined): void {
  const lines = oneTimePassword
    ? ['First start: an admin account was created.', `  email:    ${email}`, `  password: ${oneTimePassword}   (one-time: you must change it at first sign-in)`, 'This password is shown only now.']
    : ['First start: an admin account was created.', `  email:    ${email}`, '  password: the value of UCR_ADMIN_PASSWORD (you must change it at first sign-in)'];
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  const bar = '='.repeat(width);
  // Straight to the console, not the log: the log redacts passwords, and this one must be seen once.
  process.stdout.write(`\n${bar}\n${lines.map((l) => `  ${l}`).join('\n')}\n${bar}\n\n`);
}
