import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { generate } from 'otplib';
import { loadConfig, type Config } from '../../src/config/env.ts';
import { keyFromMaterial, type Keyring } from '../../src/core/secret-box.ts';
import { buildHttpApp } from '../../src/app/http-app.ts';
import { createLogger } from '../../src/app/logging.ts';
import type { Actor, AppDeps } from '../../src/features/kernel/deps.ts';
import { createOperator } from '../../src/features/identity/operators.ts';
import { hashPassword } from '../../src/features/identity/passwords.ts';
import { operators } from '../../src/db/schema/index.ts';
import { eq } from 'drizzle-orm';
import { TestClock } from './clock.ts';
import { createTestDatabase, joinTestDatabase, type DbTarget, type TestDatabase } from './databases.ts';
import { LogCapture } from './log-capture.ts';
import { ApiClient } from './api-client.ts';
import { startQueue } from '../../src/jobs/queue.ts';
import { declareVoiceJobs, workVoiceJobs } from '../../src/features/teams/jobs.ts';
import { declareBulkJobs, workBulkJobs } from '../../src/features/bulk/jobs.ts';
import { declareTicketJobs, workTicketJobs } from '../../src/features/connectwise/jobs.ts';
import { declareLifecycleJobs, workLifecycleJobs } from '../../src/features/lifecycle/jobs.ts';
import { declareResourceAccountJobs, workResourceAccountJobs } from '../../src/features/voice-apps/jobs.ts';
import type { Role } from '../../src/core/roles.ts';

export type TestApp = {
  url: string;
  deps: AppDeps;
  app: FastifyInstance;
  clock: TestClock;
  logs: LogCapture;
  target: DbTarget;
  testDb: TestDatabase;
  /** Every secret a test handled; none may show up in logs, answers they should not, or plain in the database. */
  secrets: Set<string>;
  client(): ApiClient;
  /** Creates an active operator with a known password (no forced change) and optionally TOTP; returns a signed-in client. */
  signedInAs(role: Role, options?: { email?: string; mfa?: boolean }): Promise<{ client: ApiClient; email: string; password: string; operatorId: string; totpSecret?: string }>;
  totpCode(secret: string): Promise<string>;
  close(): Promise<void>;
};

/**
 * The real HTTP server on a real database, listening on a random port; tests talk to it
 * over HTTP. Logs go to a capture at trace level, the most talkative setting.
 */
export async function startTestApp(target: DbTarget, overrides: NodeJS.ProcessEnv = {}, options: { withQueue?: boolean; /** Another node of the same installation: that app's database and encryption key. */ nodeOf?: TestApp } = {}): Promise<TestApp> {
  const testDb: TestDatabase = options.nodeOf ? await joinTestDatabase(options.nodeOf.testDb) : await createTestDatabase(target);
  const configResult = loadConfig({ LOG_LEVEL: 'trace', UCR_DATA_DIR: '/nonexistent-test-data-dir', UCR_SIGNIN_RATE_LIMIT: '10000', ...overrides });
  if (!configResult.ok) throw new Error(configResult.problems.join('\n'));
  const config: Config = configResult.config;
  const keyring: Keyring = options.nodeOf?.deps.keyring ?? { active: keyFromMaterial(randomBytes(32)), previous: [] };
  const logs = new LogCapture();
  const log = createLogger('trace', logs);
  const clock = new TestClock();
  const deps: AppDeps = { database: testDb.database, db: testDb.database.db, keyring, config, log, now: clock.now };
  if (options.withQueue) {
    // The real queue and workers, polling fast so tests do not wait on production intervals.
    deps.queue = await startQueue(testDb.database, log, { runsSchedules: false });
    await declareVoiceJobs(deps.queue);
    await workVoiceJobs(deps.queue, deps, { pollingIntervalSeconds: 0.5, pollMs: 100 });
    await declareTicketJobs(deps.queue);
    await workTicketJobs(deps.queue, deps, 0.5);
    await declareBulkJobs(deps.queue);
    await workBulkJobs(deps.queue, deps, { pollingIntervalSeconds: 0.5, pollMs: 100, concurrency: 3 });
    await declareLifecycleJobs(deps.queue);
    await workLifecycleJobs(deps.queue, deps, { pollingIntervalSeconds: 0.5, pollMs: 100 });
    await declareResourceAccountJobs(deps.queue);
    await workResourceAccountJobs(deps.queue, deps, { pollingIntervalSeconds: 0.5, pollMs: 100 });
  }
  const app = await buildHttpApp(deps);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const secrets = new Set<string>([keyring.active.key.toString('base64'), keyring.active.key.toString('hex')]);
  // The operator the harness acts as when it sets up fixtures; made on first use, so a test can still see an empty installation.
  let system: Actor | undefined;
  const harnessActor = async (): Promise<Actor> => {
    if (system) return system;
    const [row] = await deps.db.insert(operators).values({ email: 'harness@test.invalid', displayName: 'Test harness', role: 'admin', status: 'disabled' }).returning();
    system = { operatorId: row!.id, email: row!.email, displayName: 'Test harness', role: 'admin', allTenants: true, tenantIds: [], via: 'session' };
    return system;
  };

  const testApp: TestApp = {
    url,
    deps,
    app,
    clock,
    logs,
    target,
    testDb,
    secrets,
    client: () => new ApiClient(url, secrets),
    totpCode: (secret) => generate({ secret, epoch: Math.floor(clock.now().getTime() / 1000) }),
    async signedInAs(role, options = {}) {
      const email = options.email ?? `${role}-${randomBytes(4).toString('hex')}@msp.example`;
      const password = `Pw-${randomBytes(12).toString('base64url')}`;
      secrets.add(password);
      const { operator } = await createOperator(deps, await harnessActor(), { email, displayName: `${role} tester`, role, allTenants: true, tenantIds: [] }, { requestId: 'test', ip: undefined });
      await deps.db.update(operators).set({ passwordHash: await hashPassword(password), mustChangePassword: false }).where(eq(operators.id, operator.id));
      const client = testApp.client();
      await client.login(email, password);
      let totpSecret: string | undefined;
      if (options.mfa) {
        totpSecret = await client.enrolTotp((s) => testApp.totpCode(s));
        clock.advance(30_000);
      }
      return { client, email, password, operatorId: operator.id, ...(totpSecret ? { totpSecret } : {}) };
    },
    async close() {
      await app.close();
      await deps.queue?.stop({ graceful: false });
      await testDb.drop();
    },
  };
  return testApp;
}
