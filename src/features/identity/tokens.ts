import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Random bearer secrets (session cookies, API tokens, recovery codes) and how they are stored. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** High-entropy secrets need no slow hash: SHA-256 is enough to make a database dump useless. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
