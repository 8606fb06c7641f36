/**
 * End-to-end harness: runs the real server (`ucr serve`) as a child process on a fresh
 * database, reads the one-time admin password it prints, and drives Debian's Chromium
 * with playwright-core.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { beforeEach, onTestFailed } from 'vitest';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const chromiumPath = '/usr/bin/chromium';
export const screensDir = join(repoRoot, 'test-results', 'screens');

export type Target = { name: 'pglite' | 'postgres' };

/** PGlite always; PostgreSQL too when DATABASE_URL points at a server we may create databases on. */
export function targets(): Target[] {
  return process.env.DATABASE_URL ? [{ name: 'pglite' }, { name: 'postgres' }] : [{ name: 'pglite' }];
}

/** Chromium is required in CI; elsewhere its absence skips the suite, loudly. */
export function chromiumAvailable(): boolean {
  if (existsSync(chromiumPath)) return true;
  const why = `${chromiumPath} is missing, so the browser end-to-end tests cannot run (apt-get install chromium).`;
  if (process.env.CI === 'true') throw new Error(why);
  console.warn(`\n!!! SKIPPING e2e tests: ${why}\n`);
  return false;
}

/** The server serves dist/web; build it once if `npm install` did not. */
export function ensureWebBuilt(): void {
  if (existsSync(join(repoRoot, 'dist', 'web', 'index.html'))) return;
  // vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
  const result = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  if (result.status !== 0) throw new Error('npm run build failed; the e2e tests need the built web UI.');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export type RunningServer = {
  url: string;
  adminEmail: string;
  adminPassword: string;
  output: () => string;
  stop: () => Promise<void>;
};

async function createPostgresDatabase(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `ucr_e2e_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Starts `node src/cli/main.ts serve` on a fresh data dir (and database) and waits for /readyz.
 * `options.env` adds configuration (e.g. UCR_ENTRA_* pointing at a simulator). With
 * `entry: 'start'` it runs `scripts/launch.ts` instead (what `npm start` runs: the server bundle, or the sources when it is older): the demo with the
 * built-in simulators in the same process, on free ports.
 */
export async function startServer(target: Target, options: { env?: NodeJS.ProcessEnv; entry?: 'serve' | 'start' } = {}): Promise<RunningServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ucr-e2e-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {};
  // Nothing of the caller's UCR configuration leaks in; the first admin must get a one-time password.
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('UCR_') && key !== 'DATABASE_URL' && key !== 'PORT' && key !== 'HOST' && key !== 'LOG_LEVEL') env[key] = value;
  }
  Object.assign(env, { UCR_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
  let dropDatabase: (() => Promise<void>) | undefined;
  if (target.name === 'postgres') {
    const db = await createPostgresDatabase(process.env.DATABASE_URL!);
    dropDatabase = db.drop;
    Object.assign(env, { DATABASE_URL: db.url, UCR_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
  }

  if (options.entry === 'start') Object.assign(env, { UCR_DEMO: 'true', UCR_DEMO_SIMULATOR_PORTS: 'random' });
  Object.assign(env, options.env);

  // 'start' runs what `npm start` runs: scripts/launch.ts, so the server bundle when it is current.
  const args = options.entry === 'start' ? ['scripts/launch.ts'] : ['src/cli/main.ts', 'serve'];
  const child = spawn(join(repoRoot, 'node_modules', '.bin', 'node'), args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));

  const cleanup = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 10_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    }
    await rm(dataDir, { recursive: true, force: true });
    if (dropDatabase) await dropDatabase();
  };

  const url = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`The server exited with code ${child.exitCode} before it was ready.`);
      if (Date.now() > deadline) throw new Error('The server was not ready within 90 s.');
      const ready = await fetch(`${url}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ready) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const email = /^\s*email:\s+(\S+)/m.exec(out)?.[1];
    const password = /^\s*password:\s+(\S+)\s+\(one-time/m.exec(out)?.[1];
    if (!email || !password) throw new Error('The server did not print a one-time admin password.');
    return { url, adminEmail: email, adminPassword: password, output: () => out, stop: cleanup };
  } catch (error) {
    await cleanup();
    throw new Error(`${(error as Error).message}\n--- server output ---\n${out}`);
  }
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** The user guide's pictures: test-results/screenshots, or docs/images with UCR_UPDATE_SCREENSHOTS=1 (then commit them). */
export const guideImagesDir = process.env.UCR_UPDATE_SCREENSHOTS === '1' ? join(repoRoot, 'docs', 'images') : join(repoRoot, 'test-results', 'screenshots');

/** A picture for the user guide: from the top of the page (or just `element`), without focus rings or a caret. */
export async function guideScreenshot(page: Page, name: string, options: { keepFocus?: boolean; element?: Locator } = {}): Promise<void> {
  mkdirSync(guideImagesDir, { recursive: true });
  await page.evaluate((keepFocus) => {
    if (!keepFocus) (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  }, options.keepFocus ?? false);
  const path = join(guideImagesDir, `${name}.png`);
  if (options.element) await options.element.screenshot({ path, animations: 'disabled', caret: 'hide' });
  else await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screensDir, { recursive: true });
  await page.screenshot({ path: join(screensDir, `${name}.png`), fullPage: true, animations: 'disabled' });
}

/**
 * Registers, for each test of the suite, a full-page screenshot of the page when the test fails
 * (test-results/screenshots/<prefix>-FAILED-<test name>.png). `page` is read at failure time: the
 * suite opens it in its beforeAll.
 */
export function screenshotOnFailure(prefix: () => string, page: () => Page | undefined): void {
  beforeEach((context) => {
    onTestFailed(async () => {
      const name = context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40);
      const current = page();
      if (current) await screenshot(current, `${prefix()}-FAILED-${name}`).catch(() => undefined);
    });
  });
}

/** Waits, if needed, until the TOTP time step after `usedStep` has begun, so a fresh code is accepted. */
export async function waitForNextTotpStep(usedStep: number): Promise<void> {
  const nextStart = (usedStep + 1) * 30_000 + 250;
  const wait = nextStart - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

export const currentTotpStep = (): number => Math.floor(Date.now() / 30_000);

/** Signs the first admin in with the one-time password and sets `newPassword` on the forced change screen. */
export async function signInFirstAdmin(page: Page, server: RunningServer, newPassword: string): Promise<void> {
  await page.goto(`${server.url}/`);
  await page.waitForURL('**/sign-in**');
  await page.getByLabel('Email').fill(server.adminEmail);
  await page.getByLabel('Password').fill(server.adminPassword);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL('**/setup/password');
  await page.getByLabel('Current password').fill(server.adminPassword);
  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByLabel('Repeat new password').fill(newPassword);
  await page.getByRole('button', { name: 'Save new password' }).click();
  await page.waitForURL(`${server.url}/`);
}

/** The built-in simulators' addresses, as `scripts/start.ts` prints them. */
export function demoSimulators(server: RunningServer): { entra: string; graph: string } {
  const match = /Entra ID (\S+)\s+Graph (\S+)/.exec(server.output());
  if (!match) throw new Error(`The demo simulators' addresses were not printed.\n${server.output()}`);
  return { entra: match[1]!, graph: match[2]! };
}
