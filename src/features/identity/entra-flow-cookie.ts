import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/env.ts';
import type { Keyring, SecretKey } from '../../core/secret-box.ts';
import { cookieIsSecure } from './session-cookie.ts';

/**
 * Where a started Entra ID sign-in keeps its PKCE verifier, state, nonce and return path until
 * the callback: a short-lived cookie, AES-256-GCM encrypted and authenticated with a key derived
 * from the app's encryption key. The query of the callback is never trusted alone: its state
 * must equal the one sealed here, and only this browser holds the verifier the code needs.
 *
 * Why a cookie and not a table: the start route is public, so a table would take a row for
 * every anonymous visitor (a cheap way to fill it) and need clean-up; the cookie costs the
 * server nothing, works on every node that shares the encryption key, and binds the flow to
 * the browser that started it. It is cleared at the callback whatever the outcome, and a
 * replayed callback with a captured cookie still fails: Entra ID redeems a code only once and
 * the nonce ties the ID token to this one flow.
 */

export const ENTRA_FLOW_COOKIE = 'ucr_entra_flow';
const COOKIE_PATH = '/api/auth/entra';
export const ENTRA_FLOW_LIFETIME_MS = 10 * 60_000;
const INFO = 'ucr-manager entra sign-in flow v1';

export type EntraFlow = {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** The redirect URI sent to Entra ID; the code exchange must send the same. */
  redirectUri: string;
  /** Same-origin path to open after sign-in. */
  returnTo: string;
  /** Epoch milliseconds; the flow is refused after ENTRA_FLOW_LIFETIME_MS whatever the cookie's own expiry says. */
  startedAt: number;
};

function flowKey(key: SecretKey): Buffer {
  return Buffer.from(hkdfSync('sha256', key.key, Buffer.alloc(0), INFO, 32));
}

export function sealFlow(keyring: Keyring, flow: EntraFlow): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', flowKey(keyring.active), iv);
  cipher.setAAD(Buffer.from(`${INFO}|${keyring.active.id}`));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(flow), 'utf8'), cipher.final()]);
  return [keyring.active.id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

/** The flow sealed in the cookie; undefined when it is missing, altered, from an unknown key or too old. */
export function openFlow(keyring: Keyring, sealed: string | undefined, now: Date): EntraFlow | undefined {
  if (!sealed) return undefined;
  const parts = sealed.split('.');
  if (parts.length !== 4) return undefined;
  const [keyId, iv, tag, ciphertext] = parts as [string, string, string, string];
  const key = [keyring.active, ...keyring.previous].find((k) => k.id === keyId);
  if (!key) return undefined;
  let flow: EntraFlow;
  try {
    const decipher = createDecipheriv('aes-256-gcm', flowKey(key), Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(`${INFO}|${key.id}`));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    flow = JSON.parse(Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8')) as EntraFlow;
  } catch {
    return undefined;
  }
  const age = now.getTime() - flow.startedAt;
  if (!(age >= 0 && age <= ENTRA_FLOW_LIFETIME_MS)) return undefined;
  return flow;
}

export function setFlowCookie(reply: FastifyReply, request: FastifyRequest, config: Config, sealed: string): void {
  // SameSite=Lax: sent on the top-level redirect back from Entra ID, never on cross-site subrequests.
  reply.setCookie(ENTRA_FLOW_COOKIE, sealed, {
    path: COOKIE_PATH,
    httpOnly: true,
    sameSite: 'lax',
    secure: cookieIsSecure(request, config),
    maxAge: ENTRA_FLOW_LIFETIME_MS / 1000,
  });
}

export function clearFlowCookie(reply: FastifyReply, request: FastifyRequest, config: Config): void {
  reply.clearCookie(ENTRA_FLOW_COOKIE, { path: COOKIE_PATH, httpOnly: true, sameSite: 'lax', secure: cookieIsSecure(request, config) });
}
