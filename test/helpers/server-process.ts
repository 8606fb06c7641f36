import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiClient } from './api-client.ts';
import { createPostgresDatabase } from './databases.ts';

const root = path.resolve(import.meta.dirname, '../..');
const nodeBin = path.join(root, 'node_modules/.bin/node');

export type CliResult = { code: number | null; stdout: string; stderr: string };

/** Runs `ucr <args>` as a separate process, the way an operator would. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(nodeBin, ['src/cli/main.ts', ...args], { cwd: root, env: { PATH: process.env.PATH, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export type ServerProcess = { url: string; child: ChildProcess; output(): string; stop(signal?: NodeJS.Signals): Promise<number | null> };

/** Starts `ucr serve` and waits until /readyz answers 200. */
export async function startServerProcess(env: NodeJS.ProcessEnv, command = 'serve', readyWithinMs = 60_000): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(nodeBin, ['src/cli/main.ts', command], { cwd: root, env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', ...env } });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyWithinMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new Error(`server not ready in time:\n${output}`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Reads the one-time admin password from the first-start banner. */
export function oneTimePasswordFrom(output: string): string | undefined {
  return /password: (\S+)\s+\(one-time/.exec(output)?.[1];
}

type Cleanups = Array<() => Promise<void> | void>;

/**
 * A server process on fresh data — a new data folder, and on PostgreSQL a new database with its
 * own key — with the first admin signed in and their one-time password already changed. The
 * caller owns stopping `server` (it may restart it on the same `env`); the data goes in `cleanups`.
 */
export async function serverOnFreshData(target: 'pglite' | 'postgres', cleanups: Cleanups, passphrase: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<{ env: NodeJS.ProcessEnv; server: ServerProcess; admin: ApiClient; password: string }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ucr-process-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = `${passphrase} 1`;
  const env: NodeJS.ProcessEnv = { UCR_DATA_DIR: dataDir, UCR_ADMIN_PASSWORD: first, UCR_DEMO: 'false', LOG_LEVEL: 'warn', ...extraEnv };
  if (target === 'postgres') {
    const db = await createPostgresDatabase();
    cleanups.push(() => db.drop());
    Object.assign(env, { DATABASE_URL: db.url, UCR_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
  }
  // A first start migrates a fresh database: on a busy machine that takes longer than a restart.
  const server = await startServerProcess(env, 'serve', 180_000);
  const admin = new ApiClient(server.url, new Set());
  const password = `${passphrase} 2`;
  await admin.login('admin@ucr.local', first);
  await admin.post('/api/me/password', { currentPassword: first, newPassword: password });
  return { env, server, admin, password };
}
