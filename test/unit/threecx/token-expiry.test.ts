import { describe, expect, it } from 'vitest';
import { MemoryTokenStore, tokenExpiry, type ThreeCxSession } from '../../../src/connectors/threecx/auth.ts';

const jwt = (claims: object) => ['e30', Buffer.from(JSON.stringify(claims)).toString('base64url'), 'sig'].join('.');

/**
 * 3CX's expires_in is seconds since V20 Update 9 (3cx/xapi-tutorial commit 1c6947c "expires_in is
 * in seconds (according to OAuth) since 20.0.9"); earlier versions said minutes. A JWT's own `exp`
 * reads the same on every version, so it wins; without one, seconds.
 */
describe('3CX token expiry', () => {
  const now = Date.UTC(2026, 0, 1);

  it('trusts the JWT exp over expires_in', () => {
    const exp = now / 1000 + 3600;
    expect(tokenExpiry(jwt({ exp }), 60, now)).toBe(exp * 1000); // a pre-20.0.9 "60 minutes" still ends at exp
    expect(tokenExpiry(jwt({ exp }), 3600, now)).toBe(exp * 1000);
  });

  it('reads expires_in as seconds when the token is not a JWT (or has no exp)', () => {
    expect(tokenExpiry('opaque-token', 3600, now)).toBe(now + 3_600_000);
    expect(tokenExpiry(jwt({ sub: 'x' }), 3600, now)).toBe(now + 3_600_000);
    expect(tokenExpiry('a.not-json.c', 120, now)).toBe(now + 120_000);
  });
});

describe('the in-process token store', () => {
  it('renews one caller at a time and hands the others the renewed session', async () => {
    const store = new MemoryTokenStore();
    let renewals = 0;
    const session = (n: number): ThreeCxSession => ({ accessToken: `t${n}`, renewAt: 2, expiresAt: 3, refreshToken: null });
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        store.renew(
          (stored) => stored !== undefined,
          async () => session(++renewals),
        ),
      ),
    );
    expect(renewals).toBe(1);
    expect(new Set(results.map((r) => r.accessToken))).toEqual(new Set(['t1']));
  });

  it('keeps the stored session when a renewal fails', async () => {
    const store = new MemoryTokenStore();
    await store.renew(() => false, async () => ({ accessToken: 'kept', renewAt: 1, expiresAt: 2, refreshToken: 'r1' }));
    await expect(store.renew(() => false, async () => Promise.reject(new Error('3CX said no')))).rejects.toThrow('3CX said no');
    expect((await store.read())?.accessToken).toBe('kept');
  });
});
