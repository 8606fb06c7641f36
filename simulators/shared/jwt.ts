import { constants, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

// Compact JWS (RS256 / PS256) with node:crypto: the simulators sign their own tokens and
// verify client assertions without a JWT library.

export type JwtAlgorithm = 'RS256' | 'PS256';
export type JwtHeader = Record<string, unknown> & { alg?: unknown; kid?: unknown; typ?: unknown };
export type JwtPayload = Record<string, unknown>;

export interface DecodedJwt {
  header: JwtHeader;
  payload: JwtPayload;
  signingInput: string;
  signature: Buffer;
}

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function keyFor(alg: JwtAlgorithm, key: KeyObject) {
  return alg === 'PS256' ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } : key;
}

export function signJwt(header: JwtHeader & { alg: JwtAlgorithm }, payload: JwtPayload, privateKey: KeyObject): string {
  const signingInput = `${encode({ typ: 'JWT', ...header })}.${encode(payload)}`;
  const signature = sign('sha256', Buffer.from(signingInput), keyFor(header.alg, privateKey));
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** Splits and parses a compact JWT; null when it is not one. Does not check the signature. */
export function decodeJwt(token: string): DecodedJwt | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  try {
    const header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8')) as unknown;
    const payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8')) as unknown;
    if (!isObject(header) || !isObject(payload)) return null;
    return { header, payload, signingInput: `${headerPart}.${payloadPart}`, signature: Buffer.from(signaturePart, 'base64url') };
  } catch {
    return null;
  }
}

export function isSupportedAlgorithm(alg: unknown): alg is JwtAlgorithm {
  return alg === 'RS256' || alg === 'PS256';
}

/** True when the decoded token's signature verifies with the public key under its own (RS256/PS256) alg. */
export function verifyJwtSignature(decoded: DecodedJwt, publicKey: KeyObject): boolean {
  const alg = decoded.header.alg;
  if (!isSupportedAlgorithm(alg)) return false;
  try {
    return verify('sha256', Buffer.from(decoded.signingInput), keyFor(alg, publicKey), decoded.signature);
  } catch {
    return false;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
