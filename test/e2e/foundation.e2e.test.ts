/**
 * The foundation, through the browser: first admin sign-in with the one-time password, forced
 * password change, authenticator enrolment, sign-in again with a fresh TOTP code, creating an
 * operator, the audit log, and a new operator's forced password change and MFA enrolment.
 */
import { generate } from 'otplib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, currentTotpStep, ensureWebBuilt, launchBrowser, screenshot, startServer, targets, waitForNextTotpStep, type RunningServer } from './harness.ts';

const haveChromium = chromiumAvailable();

const NEW_ADMIN_PASSWORD = 'Granite-Lantern-Orbit-2931';
const VIEWER = { email: 'vera.viewer@example.com', name: 'Vera Viewer', password: 'Meadow-Copper-Sextant-5512' };

/** Reads the manual key off the page, confirms a code for it, checks the ten recovery codes. */
async function enrolAuthenticator(page: Page): Promise<{ secret: string; step: number }> {
  const key = page.getByTestId('totp-secret');
  await key.waitFor();
  const secret = (await key.textContent())!.replace(/\s/g, '');
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
  await expect.poll(() => page.getByRole('img', { name: /QR code/ }).isVisible()).toBe(true);
  const step = currentTotpStep();
  await page.getByLabel('Code from the app').fill(await generate({ secret }));
  await page.getByRole('button', { name: 'Confirm' }).click();
  const codes = page.getByTestId('recovery-codes').getByRole('listitem');
  await codes.first().waitFor();
  expect(await codes.count()).toBe(10);
  for (const code of await codes.allTextContents()) expect(code).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
  return { secret, step };
}

async function signIn(page: Page, url: string, email: string, password: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.waitForURL('**/sign-in**');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function changePassword(page: Page, current: string, next: string): Promise<void> {
  await page.waitForURL('**/setup/password');
  await page.getByLabel('Current password').fill(current);
  await page.getByLabel('New password', { exact: true }).fill(next);
  await page.getByLabel('Repeat new password').fill(next);
  await page.getByRole('button', { name: 'Save new password' }).click();
}

describe.skipIf(!haveChromium).each(targets())('foundation in the browser ($name)', (target) => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let admin: { secret: string; step: number };
  let viewerTemporaryPassword: string;
  const shot = (name: string) => screenshot(page, `${target.name}-${name}`);

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startServer(target);
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  it('refuses a wrong password with a message, then forces the first admin to change the one-time password', async () => {
    await signIn(page, server.url, server.adminEmail, 'not-the-password');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Email or password is incorrect');
    await shot('sign-in-error');

    await page.getByLabel('Password').fill(server.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/setup/password');
    // The app is closed until the password is changed.
    await page.goto(`${server.url}/admin/operators`);
    await page.waitForURL('**/setup/password');
    await shot('forced-password');
    await changePassword(page, server.adminPassword, NEW_ADMIN_PASSWORD);
    await page.waitForURL(`${server.url}/`);
    await page.getByRole('heading', { name: 'Welcome, Administrator' }).waitFor();
  });

  it('shows the app shell with every area usable and nothing promised for later', async () => {
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.locator('[aria-disabled="true"]').count()).toBe(0);
    expect((await nav.textContent())!.toLowerCase()).not.toContain('soon');
    expect(await nav.getByRole('link', { name: 'Tickets' }).count()).toBe(0);
    for (const link of ['Overview', 'Tenants', 'Numbers', 'Voice', '3CX', 'Audit', 'Operators', 'Settings', 'Profile']) expect(await nav.getByRole('link', { name: link }).count()).toBe(1);
    expect(await page.getByTestId('signed-in-operator').textContent()).toBe('Administrator');
    await shot('home');
  });

  it('enrols an authenticator from the profile and shows ten recovery codes once', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Profile' }).click();
    await page.waitForURL('**/profile');
    await page.getByRole('button', { name: 'Set up authenticator app' }).click();
    await page.getByTestId('totp-secret').waitFor();
    await shot('mfa-enrolment');
    admin = await enrolAuthenticator(page);
    await shot('recovery-codes');
    await page.getByRole('button', { name: 'I saved them, continue' }).click();
    await page.getByTestId('recovery-codes-left').waitFor();
    expect(await page.getByTestId('recovery-codes-left').textContent()).toContain('10 of 10');
    await shot('profile');
  });

  it('creates an API token shown once, lists it, and revokes it', async () => {
    await page.getByRole('button', { name: 'Create token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create an API token' });
    await dialog.getByLabel('Name').fill('Nightly export');
    await dialog.getByLabel('Access').selectOption('read');
    await dialog.getByRole('button', { name: 'Create token' }).click();
    const token = dialog.getByTestId('new-api-token');
    await token.waitFor();
    expect((await token.textContent())!.length).toBeGreaterThan(20);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const row = page.getByRole('row').filter({ hasText: 'Nightly export' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Active');
    await row.getByRole('button', { name: 'Revoke token Nightly export' }).click();
    await page.getByRole('dialog', { name: 'Revoke this token?' }).getByRole('button', { name: 'Revoke token' }).click();
    await page.getByText('Token “Nightly export” revoked.').waitFor();
    await expect.poll(() => row.textContent()).toContain('Revoked');
  });

  it('signs out, then signs in again with the new password and a fresh TOTP code', async () => {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL('**/sign-in**');
    await signIn(page, server.url, server.adminEmail, NEW_ADMIN_PASSWORD);
    await page.waitForURL('**/sign-in/mfa**');
    await page.getByLabel('Authentication code').waitFor();
    // The server refuses a code from the time step already used at enrolment.
    await waitForNextTotpStep(admin.step);
    await page.getByLabel('Authentication code').fill(await generate({ secret: admin.secret }));
    await shot('mfa-challenge');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${server.url}/`);
    await page.getByRole('heading', { name: 'Welcome, Administrator' }).waitFor();
  }, 90_000);

  it('creates a viewer and shows the temporary password once', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Operators' }).click();
    await page.waitForURL('**/admin/operators');
    await page.getByRole('button', { name: 'Add operator' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add an operator' });
    await dialog.getByLabel('Email').fill(VIEWER.email);
    await dialog.getByLabel('Display name').fill(VIEWER.name);
    expect(await dialog.getByLabel('Role').inputValue()).toBe('viewer');
    // Nothing is granted until the admin chooses a scope (#13): this viewer is meant to see every tenant.
    expect(await dialog.getByLabel('All tenants').isChecked()).toBe(false);
    await dialog.getByLabel('All tenants').check();
    await dialog.getByRole('button', { name: 'Create operator' }).click();
    const temporary = dialog.getByTestId('temporary-password');
    await temporary.waitFor();
    viewerTemporaryPassword = (await temporary.textContent())!.trim();
    expect(viewerTemporaryPassword.length).toBeGreaterThanOrEqual(12);
    await shot('operator-created');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const row = page.getByTestId('operator-row').filter({ hasText: VIEWER.email });
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain(VIEWER.name);
    expect(text).toContain('Viewer');
    expect(text).toContain('Must change password');
    await shot('operators');
  });

  it('manages an operator in a dialog that closes on Escape', async () => {
    await page.getByRole('button', { name: `Manage ${VIEWER.email}` }).click();
    const dialog = page.getByRole('dialog', { name: VIEWER.name });
    await dialog.waitFor();
    expect(await dialog.getByLabel('Role').inputValue()).toBe('viewer');
    expect(await dialog.getByLabel('All tenants').isChecked()).toBe(true);
    await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
    const confirm = page.getByRole('dialog', { name: `Sign ${VIEWER.name} out everywhere?` });
    await confirm.getByRole('button', { name: 'Sign out everywhere' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await dialog.getByText('0 session(s) ended.').waitFor();
    await shot('manage-operator');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  it('shows operator.created in the audit log, filterable by action', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await page.waitForURL('**/audit');
    await page.getByTestId('audit-row').first().waitFor();
    expect(await page.getByTestId('audit-row').filter({ hasText: 'operator.created' }).count()).toBeGreaterThanOrEqual(1);
    await page.getByRole('search').getByRole('combobox', { name: 'Action' }).fill('operator.created');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    // The first admin (system) and the viewer (by the admin).
    await expect.poll(() => page.getByTestId('audit-row').count()).toBe(2);
    for (const text of await page.getByTestId('audit-row').allTextContents()) expect(text).toContain('operator.created');
    expect(await page.getByTestId('audit-row').filter({ hasText: 'system (first start)' }).count()).toBe(1);
    // Export CSV downloads exactly what the filters show.
    const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(href).toBe('/api/audit/export?action=operator.created');
    const csv = await (await page.request.get(new URL(href!, page.url()).href)).text();
    expect(csv.trim().split(/\r?\n/)).toHaveLength(3);
    await shot('audit');
  });

  it('makes MFA required; the new viewer must change the password and enrol before anything else', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Require an authenticator app for everyone').check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL('**/sign-in**');

    await signIn(page, server.url, VIEWER.email, viewerTemporaryPassword);
    await changePassword(page, viewerTemporaryPassword, VIEWER.password);
    await page.waitForURL('**/setup/mfa');
    await page.getByTestId('totp-secret').waitFor();
    await shot('forced-mfa');
    await enrolAuthenticator(page);
    await page.getByRole('button', { name: 'I saved them, continue' }).click();
    await page.waitForURL(`${server.url}/`);
    await page.getByRole('heading', { name: `Welcome, ${VIEWER.name}` }).waitFor();

    // A viewer sees no admin areas, but reads the audit log of their tenants and their own events.
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Operators' }).count()).toBe(0);
    await nav.getByRole('link', { name: 'Audit' }).click();
    await page.waitForURL('**/audit');
    await page.getByTestId('audit-row').first().waitFor();
    const rows = await page.getByTestId('audit-row').allTextContents();
    expect(rows.some((r) => r.includes('mfa.enrolled'))).toBe(true);
    // Operator management is no tenant's event and not the viewer's own: an admin's business.
    expect(rows.some((r) => r.includes('operator.created') || r.includes('settings.changed'))).toBe(false);
    expect(await page.getByRole('search').getByLabel('Operator').count()).toBe(0);
    await shot('viewer-audit');
    await page.goto(`${server.url}/admin/operators`);
    await page.getByRole('heading', { name: 'Admins only' }).waitFor();
    await shot('viewer-admins-only');
  });
});
