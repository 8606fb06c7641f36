import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.ts';

describe('configuration from the environment', () => {
  it('has working defaults for the embedded quick start', () => {
    const result = loadConfig({});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.port).toBe(3000);
    expect(result.config.dataDir).toBe('./data');
    expect(result.config.databaseUrl).toBeUndefined();
    expect(result.config.demo).toBe(true);
    expect(result.config.role).toBe('all');
  });

  it('reports one line per bad value, naming the variable', () => {
    const result = loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', UCR_ENCRYPTION_KEY: 'short', LOG_LEVEL: 'loud' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(4);
    expect(result.problems.find((p) => p.startsWith('PORT:'))).toMatch(/whole number/);
    expect(result.problems.find((p) => p.startsWith('DATABASE_URL:'))).toMatch(/postgres:\/\//);
    expect(result.problems.find((p) => p.startsWith('UCR_ENCRYPTION_KEY:'))).toMatch(/32 random bytes/);
    expect(result.problems.find((p) => p.startsWith('LOG_LEVEL:'))).toMatch(/one of/);
  });

  it('accepts a base64 or hex 256-bit key', () => {
    expect(loadConfig({ UCR_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') }).ok).toBe(true);
    expect(loadConfig({ UCR_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('hex') }).ok).toBe(true);
    expect(loadConfig({ UCR_ENCRYPTION_KEY: Buffer.alloc(16, 7).toString('hex') }).ok).toBe(false);
  });

  it('requires TLS certificate and key together', () => {
    const result = loadConfig({ UCR_TLS_CERT_FILE: '/etc/cert.pem' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toMatch(/set both or neither/);
  });

  it('trusts every proxy, a number of hops, or a list of proxy addresses, and refuses anything else', () => {
    const trust = (value: string) => {
      const result = loadConfig({ UCR_TRUST_PROXY: value });
      return result.ok ? result.config.trustProxy : result.problems;
    };
    expect(loadConfig({}).ok && (loadConfig({}) as { config: { trustProxy: unknown } }).config.trustProxy).toBe(false);
    expect(trust('true')).toBe(true);
    expect(trust('false')).toBe(false);
    expect(trust('2')).toBe(2);
    expect(trust('10.0.0.5, 192.168.0.0/16,::1')).toEqual(['10.0.0.5', '192.168.0.0/16', '::1']);
    for (const bad of ['yes', '10.0.0.300', '10.0.0.0/33', 'proxy.example.com']) {
      expect(trust(bad), bad).toEqual([expect.stringMatching(/^UCR_TRUST_PROXY: must be true, false, a number of proxy hops/)]);
    }
  });

  it('bounds the bulk concurrency and requires a shared key for separate web/worker nodes', () => {
    const ok = loadConfig({ UCR_BULK_CONCURRENCY: '4' });
    expect(ok.ok && ok.config.bulkConcurrency).toBe(4);
    expect(loadConfig({}).ok && (loadConfig({}) as { config: { bulkConcurrency: number } }).config.bulkConcurrency).toBe(12);
    expect(loadConfig({ UCR_BULK_CONCURRENCY: '0' })).toEqual({ ok: false, problems: ['UCR_BULK_CONCURRENCY: must be between 1 and 64'] });
    const db = 'postgres://u@db.example/ucr';
    expect(loadConfig({ DATABASE_URL: db, UCR_ROLE: 'worker' })).toEqual({ ok: false, problems: [expect.stringMatching(/^UCR_ENCRYPTION_KEY: required with UCR_ROLE=worker/)] });
    expect(loadConfig({ DATABASE_URL: db, UCR_ROLE: 'worker', UCR_ENCRYPTION_KEY: 'a'.repeat(64) }).ok).toBe(true);
    expect(loadConfig({ DATABASE_URL: db }).ok).toBe(true);
  });

  it('treats empty variables as unset', () => {
    const result = loadConfig({ PORT: '', DATABASE_URL: '' });
    expect(result.ok && result.config.port === 3000 && result.config.databaseUrl === undefined).toBe(true);
  });

  it('turns the demo off by default on PostgreSQL', () => {
    const result = loadConfig({ DATABASE_URL: 'postgres://u@h:5432/db' });
    expect(result.ok && result.config.demo).toBe(false);
  });

  it('enables Entra ID sign-in only with tenant, client id and secret together', () => {
    const none = loadConfig({});
    expect(none.ok && none.config.entra).toBeUndefined();
    const all = loadConfig({ UCR_ENTRA_TENANT: 'contoso.onmicrosoft.com', UCR_ENTRA_CLIENT_ID: '11111111-2222-3333-4444-555555555555', UCR_ENTRA_CLIENT_SECRET: 's3cr3t' });
    expect(all.ok && all.config.entra).toEqual({
      tenant: 'contoso.onmicrosoft.com',
      clientId: '11111111-2222-3333-4444-555555555555',
      clientSecret: 's3cr3t',
      authority: 'https://login.microsoftonline.com',
    });
    const partial = loadConfig({ UCR_ENTRA_TENANT: '0c8f8a52-6b0e-4d4e-9d0a-2f1e3c4b5a69', UCR_ENTRA_CLIENT_ID: 'abc' });
    expect(partial.ok).toBe(false);
    if (!partial.ok) expect(partial.problems).toEqual([expect.stringMatching(/set all three .* or none \(missing: UCR_ENTRA_CLIENT_SECRET\)/)]);
  });

  it('refuses a multi-tenant alias, a malformed tenant and a plain-http authority off localhost', () => {
    const base = { UCR_ENTRA_CLIENT_ID: 'abc', UCR_ENTRA_CLIENT_SECRET: 'x' };
    for (const tenant of ['common', 'organizations', 'not a domain']) {
      const result = loadConfig({ ...base, UCR_ENTRA_TENANT: tenant });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problems[0]).toMatch(/^UCR_ENTRA_TENANT: /);
    }
    const http = loadConfig({ ...base, UCR_ENTRA_TENANT: 'contoso.example', UCR_ENTRA_AUTHORITY: 'http://login.example.com' });
    expect(!http.ok && http.problems[0]).toMatch(/^UCR_ENTRA_AUTHORITY: must be an https URL/);
    const local = loadConfig({ ...base, UCR_ENTRA_TENANT: 'contoso.example', UCR_ENTRA_AUTHORITY: 'http://127.0.0.1:4011/' });
    expect(local.ok && local.config.entra?.authority).toBe('http://127.0.0.1:4011');
  });
});
