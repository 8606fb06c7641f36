import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'otplib';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../helpers/api-client.ts';
import { createPostgresDatabase, dbTargets } from '../../helpers/databases.ts';
import { oneTimePasswordFrom, runCli, startServerProcess } from '../../helpers/server-process.ts';

const tempDirs: string[] = [];
function tempDataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ucr-cli-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('bad configuration', () => {
  it('exits non-zero with one line per problem, naming the variable', async () => {
    const result = await runCli(['serve'], { DATABASE_URL: 'mysql://db.example/ucr', UCR_ENCRYPTION_KEY: 'too-short', PORT: '99999' });
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.some((l) => l.startsWith('Configuration error: DATABASE_URL:'))).toBe(true);
    expect(lines.some((l) => l.startsWith('Configuration error: UCR_ENCRYPTION_KEY:'))).toBe(true);
    expect(lines.some((l) => l.startsWith('Configuration error: PORT:'))).toBe(true);
    expect(result.stderr).not.toContain('too-short');
  });

  it('refuses a separate worker without PostgreSQL', async () => {
    const result = await runCli(['worker'], { UCR_DATA_DIR: tempDataDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/needs DATABASE_URL/);
  });

  it('refuses a separate web node on PostgreSQL without a shared encryption key', async () => {
    const result = await runCli(['web'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/none' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Configuration error: UCR_ENCRYPTION_KEY: required with UCR_ROLE=web/);
  });

  it('stops the first start when UCR_ADMIN_PASSWORD breaks the password policy, instead of starting with no admin', async () => {
    const result = await runCli(['serve'], { UCR_DATA_DIR: tempDataDir(), PORT: '3997', UCR_DEMO: 'false', UCR_ADMIN_PASSWORD: 'adminadminadmin' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Configuration error: UCR_ADMIN_PASSWORD: Password refused/);
    expect(result.stderr).not.toContain('adminadminadmin');
  });

  it('unknown commands print the usage', async () => {
    const result = await runCli(['frobnicate'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown command "frobnicate"/);
  });
});

describe('embedded first start (PGlite in the data directory)', () => {
  it('prints the one-time admin password once, shuts down gracefully, and keeps data across restarts', async () => {
    const dataDir = tempDataDir();
    const first = await startServerProcess({ UCR_DATA_DIR: dataDir });
    const password = oneTimePasswordFrom(first.output());
    expect(password).toBeTruthy();
    expect(first.output()).toMatch(/key file stored next to the data/);
    const client = new ApiClient(first.url, new Set());
    expect((await client.login('admin@ucr.local', password!)).body.obligation).toBe('password_change_required');
    expect((await client.post('/api/me/password', { currentPassword: password, newPassword: 'first start passphrase' })).status).toBe(200);
    // A second process on the same data directory is refused, not allowed to corrupt it.
    const second = await runCli(['serve'], { UCR_DATA_DIR: dataDir, PORT: '3998' });
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(/Another UCR Manager process/);
    // So is a one-off command on it, such as a migration or key rotation.
    const migrate = await runCli(['migrate'], { UCR_DATA_DIR: dataDir });
    expect(migrate.code).not.toBe(0);
    expect(migrate.stderr).toMatch(/Another UCR Manager process/);
    expect(await first.stop('SIGTERM')).toBe(0);
    // The log never carried the password.
    expect(first.output().split('\n').filter((l) => l.includes(password!))).toHaveLength(1);

    const again = await startServerProcess({ UCR_DATA_DIR: dataDir });
    expect(oneTimePasswordFrom(again.output())).toBeUndefined();
    expect((await new ApiClient(again.url, new Set()).login('admin@ucr.local', 'first start passphrase')).status).toBe(200);
    expect(await again.stop()).toBe(0);
  }, 180_000); // spawns the server several times: slow on a loaded 2-core machine
});

describe.each(dbTargets())('ucr create-admin and rotate-key on %s', (target) => {
  it('creates an admin, and after key rotation the TOTP secret still works', async () => {
    const dataDir = tempDataDir();
    const pgDb = target === 'postgres' ? await createPostgresDatabase() : undefined;
    const oldKey = randomBytes(32).toString('base64');
    const baseEnv: NodeJS.ProcessEnv = pgDb ? { DATABASE_URL: pgDb.url, UCR_ENCRYPTION_KEY: oldKey, UCR_DATA_DIR: dataDir } : { UCR_DATA_DIR: dataDir };
    try {
      const created = await runCli(['create-admin', '--email', 'Ops@MSP.example'], { ...baseEnv, UCR_ADMIN_EMAIL: 'ops@msp.example' }, 'rotate key passphrase 1\n');
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      const duplicate = await runCli(['create-admin', '--email', 'ops@msp.example', '--password', 'another long passphrase'], baseEnv);
      expect(duplicate.code).toBe(2);
      expect(duplicate.stderr).toMatch(/already exists/);

      const server = await startServerProcess(baseEnv);
      const client = new ApiClient(server.url, new Set());
      await client.login('ops@msp.example', 'rotate key passphrase 1');
      await client.post('/api/me/password', { currentPassword: 'rotate key passphrase 1', newPassword: 'rotate key passphrase 2' });
      const secret = await client.enrolTotp((s) => generate({ secret: s }));
      expect(await server.stop()).toBe(0);

      let env = baseEnv;
      if (pgDb) {
        env = { ...baseEnv, UCR_ENCRYPTION_KEY: randomBytes(32).toString('base64'), UCR_ENCRYPTION_OLD_KEYS: oldKey };
        const rotated = await runCli(['rotate-key'], env);
        expect(rotated.stdout).toMatch(/Re-encrypted 1 secret/);
        env = { ...env, UCR_ENCRYPTION_OLD_KEYS: '' }; // the old key is no longer needed
      } else {
        const before = readFileSync(path.join(dataDir, 'encryption-key.json'), 'utf8');
        const rotated = await runCli(['rotate-key'], env);
        expect(rotated.code).toBe(0);
        expect(rotated.stdout).toMatch(/re-encrypted 1 secret/);
        const after = JSON.parse(readFileSync(path.join(dataDir, 'encryption-key.json'), 'utf8'));
        expect(after.previous).toEqual([]);
        expect(after.active).not.toBe(JSON.parse(before).active);
      }

      const restarted = await startServerProcess(env);
      const again = new ApiClient(restarted.url, new Set());
      expect((await again.login('ops@msp.example', 'rotate key passphrase 2')).body.stage).toBe('mfa');
      // Next time step, so the code is not a replay of the enrolment code.
      const nextStep = Math.floor(Date.now() / 30_000) + 1;
      const mfa = await again.post('/api/auth/mfa', { code: await generate({ secret, epoch: nextStep * 30 }) });
      expect(mfa.status).toBe(200);
      expect(await restarted.stop()).toBe(0);
    } finally {
      await pgDb?.drop();
    }
  }, 180_000); // spawns the server several times: slow on a loaded 2-core machine
});
