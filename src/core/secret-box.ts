import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM envelope for secrets stored in the database.
 * Stored form: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts). The key id lets a
 * keyring hold old keys during rotation and tells which key a value needs.
 */
export type SecretKey = { id: string; key: Buffer };
export type Keyring = { active: SecretKey; previous: SecretKey[] };

const PREFIX = 'v1';

export function keyFromMaterial(material: Buffer): SecretKey {
  if (material.length !== 32) throw new Error('An encryption key must be 32 bytes.');
  const id = createHash('sha256').update(material).digest('hex').slice(0, 12);
  return { id, key: material };
}

export function encryptSecret(keyring: Keyring, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyring.active.key, iv);
  // The key id is authenticated too, so a value cannot be relabelled to another key.
  cipher.setAAD(Buffer.from(keyring.active.id));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [PREFIX, keyring.active.id, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
}

export function decryptSecret(keyring: Keyring, stored: string): string {
  const parts = stored.split('.');
  if (parts.length !== 5 || parts[0] !== PREFIX) throw new Error('Stored secret is not in a known format.');
  const [, keyId, iv, tag, ciphertext] = parts as [string, string, string, string, string];
  const key = [keyring.active, ...keyring.previous].find((k) => k.id === keyId);
  if (!key) {
    throw new Error(`Stored secret was encrypted with key ${keyId}, which is not configured (set it in UCR_ENCRYPTION_OLD_KEYS).`);
  }
  const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(keyId));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}

export function keyIdOf(stored: string): string | undefined {
  const parts = stored.split('.');
  return parts.length === 5 && parts[0] === PREFIX ? parts[1] : undefined;
}
