import { describe, expect, it } from 'vitest';
import { passwordProblem } from '../../src/core/password-policy.ts';
import { roleAllows } from '../../src/core/roles.ts';
import { redactUrl } from '../../src/app/logging.ts';

describe('password policy', () => {
  it('wants length and variety', () => {
    expect(passwordProblem('short')).toMatch(/at least 12/);
    expect(passwordProblem('aaaaaaaaaaaaaaa')).toMatch(/varied/);
    expect(passwordProblem('password1234')).toMatch(/easy to guess/);
    expect(passwordProblem('jdoe-Summer-2026!', 'jdoe@msp.example')).toMatch(/email name/);
    expect(passwordProblem('correct horse battery staple')).toBeUndefined();
  });
});

describe('roles', () => {
  it('ranks admin over operator over viewer', () => {
    expect(roleAllows('admin', 'operator')).toBe(true);
    expect(roleAllows('operator', 'viewer')).toBe(true);
    expect(roleAllows('viewer', 'operator')).toBe(false);
    expect(roleAllows('operator', 'admin')).toBe(false);
  });
});

describe('log URL redaction', () => {
  it('hides credential-like query values and keeps the rest', () => {
    expect(redactUrl('/api/auth/callback?code=abc123&state=xyz&tenant=t1')).toBe('/api/auth/callback?code=%5BREDACTED%5D&state=%5BREDACTED%5D&tenant=t1');
    expect(redactUrl('/api/numbers?status=available')).toBe('/api/numbers?status=available');
  });
});
