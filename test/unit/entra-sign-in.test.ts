import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config/env.ts';
import { keyFromMaterial, type Keyring } from '../../src/core/secret-box.ts';
import { ENTRA_FLOW_LIFETIME_MS, openFlow, sealFlow, type EntraFlow } from '../../src/features/identity/entra-flow-cookie.ts';
import { entraRedirectUri, safeReturnPath } from '../../src/features/identity/entra-routes.ts';

const config = (env: NodeJS.ProcessEnv): Config => {
  const result = loadConfig(env);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config;
};

describe('Entra ID sign-in helpers', () => {
  it('builds the redirect URI from UCR_PUBLIC_URL, else from the request', () => {
    const request = { protocol: 'https', host: 'ucr.internal:8443' } as FastifyRequest;
    expect(entraRedirectUri(request, config({ UCR_PUBLIC_URL: 'https://ucr.msp.example/' }))).toBe('https://ucr.msp.example/api/auth/entra/callback');
    expect(entraRedirectUri(request, config({}))).toBe('https://ucr.internal:8443/api/auth/entra/callback');
  });

  it('opens only same-origin app paths after sign-in', () => {
    expect(safeReturnPath('/tenants/abc/numbers?status=available#top')).toBe('/tenants/abc/numbers?status=available#top');
    for (const bad of [undefined, '', 'tenants', 'https://evil.example/', '//evil.example/x', '/\\evil.example', '/%0d%0aSet-Cookie:x', '/ok\nbad', '/api/operators', '/sign-in?x', '/setup/mfa', '/pending-approval', `/${'a'.repeat(1001)}`]) {
      const result = safeReturnPath(bad);
      expect(result === '/' || (result.startsWith('/') && !result.startsWith('//')), String(bad)).toBe(true);
    }
    expect(safeReturnPath('https://evil.example/')).toBe('/');
    expect(safeReturnPath('//evil.example/x')).toBe('/');
    expect(safeReturnPath('/\\evil.example')).toBe('/');
    expect(safeReturnPath('/ok\nbad')).toBe('/');
    expect(safeReturnPath('/api/operators')).toBe('/');
  });

  it('seals the flow so it cannot be read or altered, accepts the previous key while rotating, and expires it after ten minutes', () => {
    const oldKey = keyFromMaterial(randomBytes(32));
    const newKey = keyFromMaterial(randomBytes(32));
    const before: Keyring = { active: oldKey, previous: [] };
    const after: Keyring = { active: newKey, previous: [oldKey] };
    const now = new Date('2026-03-01T10:00:00Z');
    const flow: EntraFlow = { state: 'state-value-123', nonce: 'nonce-value-456', codeVerifier: 'verifier-value-789', redirectUri: 'https://ucr/api/auth/entra/callback', returnTo: '/', startedAt: now.getTime() };
    const sealed = sealFlow(before, flow);
    for (const secret of [flow.state, flow.nonce, flow.codeVerifier]) expect(sealed).not.toContain(secret);
    expect(openFlow(before, sealed, now)).toEqual(flow);
    expect(openFlow(after, sealed, now)).toEqual(flow);
    expect(openFlow({ active: newKey, previous: [] }, sealed, now)).toBeUndefined();
    const parts = sealed.split('.');
    parts[3] = `${parts[3]!.startsWith('A') ? 'B' : 'A'}${parts[3]!.slice(1)}`;
    expect(openFlow(before, parts.join('.'), now)).toBeUndefined();
    expect(openFlow(before, 'garbage', now)).toBeUndefined();
    expect(openFlow(before, sealed, new Date(now.getTime() + ENTRA_FLOW_LIFETIME_MS))).toEqual(flow);
    expect(openFlow(before, sealed, new Date(now.getTime() + ENTRA_FLOW_LIFETIME_MS + 1))).toBeUndefined();
  });
});
