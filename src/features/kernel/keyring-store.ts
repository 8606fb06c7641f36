import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decodeKeyMaterial } from '../../config/env.ts';
import { keyFromMaterial, type Keyring } from '../../core/secret-box.ts';

/**
 * Where the encryption keys come from: UCR_ENCRYPTION_KEY (plus UCR_ENCRYPTION_OLD_KEYS while
 * rotating), or, for the embedded single-node default only, a key file generated in the data
 * directory. The key file sits next to the data it protects, which is why the log warns.
 */
export type KeySource =
  | { kind: 'environment'; keyring: Keyring }
  | { kind: 'key-file'; keyring: Keyring; file: string; generated: boolean };

type KeyFile = { active: string; previous: string[] };

export const KEY_FILE_NAME = 'encryption-key.json';

export function loadKeyring(options: { encryptionKey?: string; oldKeys?: string[]; dataDir: string }): KeySource {
  if (options.encryptionKey) {
    const active = keyFromMaterial(decodeKeyMaterial(options.encryptionKey)!);
    const previous = (options.oldKeys ?? []).map((k) => keyFromMaterial(decodeKeyMaterial(k)!));
    return { kind: 'environment', keyring: { active, previous } };
  }
  const file = path.resolve(options.dataDir, KEY_FILE_NAME);
  let generated = false;
  if (!existsSync(file)) {
    writeKeyFile(file, { active: randomBytes(32).toString('base64'), previous: [] });
    generated = true;
  }
  return { kind: 'key-file', keyring: readKeyFile(file), file, generated };
}

function readKeyFile(file: string): Keyring {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
  const decode = (value: string) => {
    const material = decodeKeyMaterial(value);
    if (!material) throw new Error(`The key file ${file} is damaged: a key is not 32 bytes of base64.`);
    return keyFromMaterial(material);
  };
  return { active: decode(parsed.active), previous: parsed.previous.map(decode) };
}

/** Written to a temporary file and renamed, so a crash never leaves half a key file. */
export function writeKeyFile(file: string, content: KeyFile): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(content, null, 2), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export function keyFileContent(keyring: Keyring): KeyFile {
  return { active: keyring.active.key.toString('base64'), previous: keyring.previous.map((k) => k.key.toString('base64')) };
}
