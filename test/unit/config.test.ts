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

  it('treats empty variables as unset', () => {
    const result = loadConfig({ PORT: '', DATABASE_URL: '' });
    expect(result.ok && result.config.port === 3000 && result.config.databaseUrl === undefined).toBe(true);
  });

  it('turns the demo off by default on PostgreSQL', () => {
    const result = loadConfig({ DATABASE_URL: 'postgres://u@h:5432/db' });
    expect(result.ok && result.config.demo).toBe(false);
  });
});
