/**
 * Entra ID operator sign-in through the browser (SPEC A3): the real server configured against
 * the Entra ID simulator (started here on a free port); an unknown person clicks "Sign in with
 * Microsoft", picks their account on the simulator's sign-in page and lands on "Waiting for
 * approval"; the first admin approves them in another browser context; they sign in again and
 * land in the app.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEntraSimulator, type RunningEntraSimulator } from '../../simulators/index.ts';
import { SIGN_IN_MESSAGES } from '../../src/core/sign-in-messages.ts';
import { chromiumAvailable, ensureWebBuilt, launchBrowser, screenshot, startServer, targets, type RunningServer } from './harness.ts';

const haveChromium = chromiumAvailable();
const ADMIN_PASSWORD = 'Harbour-Quartz-Meridian-7741';
const ERIN = { upn: 'erin.entra@fabrikam-msp.example', name: 'Erin Entra' };

async function signInAsFirstAdmin(page: Page, server: RunningServer): Promise<void> {
  await page.goto(`${server.url}/`);
  await page.waitForURL('**/sign-in**');
  await page.getByLabel('Email').fill(server.adminEmail);
  await page.getByLabel('Password').fill(server.adminPassword);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL('**/setup/password');
  await page.getByLabel('Current password').fill(server.adminPassword);
  await page.getByLabel('New password', { exact: true }).fill(ADMIN_PASSWORD);
  await page.getByLabel('Repeat new password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Save new password' }).click();
  await page.waitForURL(`${server.url}/`);
}

/** From our sign-in page through the simulator's account picker and back. */
async function signInWithMicrosoft(page: Page, server: RunningServer, sim: RunningEntraSimulator, shot?: string): Promise<void> {
  await page.goto(`${server.url}/`);
  await page.waitForURL('**/sign-in**');
  await page.getByRole('link', { name: 'Sign in with Microsoft' }).waitFor();
  if (shot) await screenshot(page, shot);
  await page.getByRole('link', { name: 'Sign in with Microsoft' }).click();
  await page.waitForURL(`${sim.url}/**`);
  await page.getByRole('heading', { name: 'Sign in to your account' }).waitFor();
  await page.getByRole('button', { name: new RegExp(ERIN.name) }).click();
}

describe.skipIf(!haveChromium).each(targets())('Entra ID sign-in in the browser ($name)', (target) => {
  let sim: RunningEntraSimulator;
  let server: RunningServer;
  let browser: Browser;
  let erinContext: BrowserContext;
  let adminContext: BrowserContext;
  let erin: Page;
  let admin: Page;
  const clientId = randomUUID();
  const clientSecret = `e2e-${randomBytes(16).toString('base64url')}`;

  beforeAll(async () => {
    ensureWebBuilt();
    sim = await startEntraSimulator();
    const tenant = sim.state.addTenant({ displayName: 'Fabrikam MSP', domains: ['fabrikam-msp.example'] });
    sim.state.addUser(tenant.id, { userPrincipalName: 'someone.else@fabrikam-msp.example', displayName: 'Someone Else' });
    sim.state.addUser(tenant.id, { userPrincipalName: ERIN.upn, displayName: ERIN.name });
    server = await startServer(target, {
      env: { UCR_ENTRA_TENANT: tenant.id, UCR_ENTRA_CLIENT_ID: clientId, UCR_ENTRA_CLIENT_SECRET: clientSecret, UCR_ENTRA_AUTHORITY: sim.url },
    });
    sim.state.addApp(tenant.id, { clientId, secrets: [clientSecret], redirectUris: [`${server.url}/api/auth/entra/callback`] });
    browser = await launchBrowser();
    erinContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    adminContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    erin = await erinContext.newPage();
    admin = await adminContext.newPage();
    erin.setDefaultTimeout(15_000);
    admin.setDefaultTimeout(15_000);
  });

  afterAll(async () => {
    await erinContext?.close();
    await adminContext?.close();
    await browser?.close();
    await server?.stop();
    await sim?.close();
    // The client secret never reaches the server's output.
    if (server) expect(server.output()).not.toContain(clientSecret);
  });

  it('an unknown person signs in with Microsoft and is told to wait for approval', async () => {
    await signInWithMicrosoft(erin, server, sim, `${target.name}-entra-sign-in`);
    await erin.waitForURL(`${server.url}/pending-approval`);
    await erin.getByRole('heading', { name: 'Waiting for approval' }).waitFor();
    expect(await erin.getByRole('main').textContent()).toContain('An administrator of UCR Manager must approve your account');
    await screenshot(erin, `${target.name}-entra-pending-approval`);
    // No session: the app sends them back to sign-in.
    await erin.goto(`${server.url}/`);
    await erin.waitForURL('**/sign-in**');
  });

  it('the first admin approves the pending operator in another browser', async () => {
    await signInAsFirstAdmin(admin, server);
    await admin.goto(`${server.url}/admin/operators`);
    const row = admin.getByTestId('operator-row').filter({ hasText: ERIN.upn });
    await row.waitFor();
    expect(await row.textContent()).toContain('Waiting for approval');
    expect(await row.textContent()).toContain('Signs in with Microsoft');
    await row.getByRole('button', { name: `Manage ${ERIN.upn}` }).click();
    await admin.getByRole('button', { name: 'Approve…' }).click();
    const confirm = admin.getByRole('dialog', { name: `Approve ${ERIN.name}?` });
    await confirm.getByLabel('Role').selectOption('operator');
    await screenshot(admin, `${target.name}-entra-approve`);
    await confirm.getByRole('button', { name: 'Approve', exact: true }).click();
    await admin.getByRole('status').filter({ hasText: 'Approved.' }).waitFor();
    await admin.keyboard.press('Escape');
    await expect.poll(async () => (await admin.getByTestId('operator-row').filter({ hasText: ERIN.upn }).textContent()) ?? '').toContain('Active');
  });

  it('shows the message of a refused Microsoft sign-in by its code, and nothing for an unknown one', async () => {
    await erin.goto(`${server.url}/sign-in?error=entra_cancelled`);
    await expect.poll(async () => erin.getByRole('alert').textContent()).toBe(SIGN_IN_MESSAGES.entra_cancelled);
    await erin.goto(`${server.url}/sign-in?error=${encodeURIComponent('Call +1 555 0100 to unlock')}`);
    await erin.getByRole('link', { name: 'Sign in with Microsoft' }).waitFor();
    expect(await erin.getByRole('alert').count()).toBe(0);
  });

  it('once approved, the same person signs in with Microsoft and lands in the app', async () => {
    await signInWithMicrosoft(erin, server, sim);
    await erin.waitForURL(`${server.url}/`);
    await erin.getByTestId('signed-in-operator').waitFor();
    expect(await erin.getByTestId('signed-in-operator').textContent()).toBe(ERIN.name);
    // No TOTP step and no forced enrolment: Entra ID handled MFA.
    await erin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' }).click();
    await erin.waitForURL(`${server.url}/tenants`);
    await screenshot(erin, `${target.name}-entra-signed-in`);
  });
});
