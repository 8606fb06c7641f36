import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, keyFromMaterial, keyIdOf } from '../../src/core/secret-box.ts';

const key = () => keyFromMaterial(randomBytes(32));

describe('secret box (AES-256-GCM)', () => {
  it('round-trips and never stores the plaintext', () => {
    const keyring = { active: key(), previous: [] };
    const stored = encryptSecret(keyring, 'client-secret-value');
    expect(stored).not.toContain('client-secret-value');
    expect(stored.startsWith(`v1.${keyring.active.id}.`)).toBe(true);
    expect(decryptSecret(keyring, stored)).toBe('client-secret-value');
  });

  it('uses a fresh IV each time', () => {
    const keyring = { active: key(), previous: [] };
    expect(encryptSecret(keyring, 'x')).not.toBe(encryptSecret(keyring, 'x'));
  });

  it('detects tampering', () => {
    const keyring = { active: key(), previous: [] };
    const parts = encryptSecret(keyring, 'secret').split('.');
    const ct = Buffer.from(parts[4]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    parts[4] = ct.toString('base64url');
    expect(() => decryptSecret(keyring, parts.join('.'))).toThrow();
  });

  it('refuses a value relabelled to another key id', () => {
    const a = key();
    const b = key();
    const stored = encryptSecret({ active: a, previous: [] }, 'secret');
    const relabelled = stored.replace(`.${a.id}.`, `.${b.id}.`);
    expect(() => decryptSecret({ active: b, previous: [a] }, relabelled)).toThrow();
  });

  it('reads values under a previous key and names a missing key', () => {
    const old = key();
    const stored = encryptSecret({ active: old, previous: [] }, 'secret');
    const next = key();
    expect(decryptSecret({ active: next, previous: [old] }, stored)).toBe('secret');
    expect(() => decryptSecret({ active: next, previous: [] }, stored)).toThrow(/UCR_ENCRYPTION_OLD_KEYS/);
    expect(keyIdOf(stored)).toBe(old.id);
  });
});
