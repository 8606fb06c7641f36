/**
 * The add-tenant wizard in Chromium against the simulators (issue #17, items 7 and 8): an admin
 * looks the customer up by domain (an unknown one is named), registers the app, generates the
 * certificate and uploads it to the (simulated) app registration, and the test names the missing
 * permission until it is granted. Then a saved connection is deleted after a confirmation, and
 * Entra ID sign-in is set up in Settings, tested in place and applied without a restart.
 * Pictures for the user guide go to test-results/screenshots, or docs/images with UCR_UPDATE_SCREENSHOTS=1.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { startEntraSimulator, type RunningEntraSimulator } from '../../simulators/index.ts';
import { startTeamsSimulators, type TeamsFixture } from '../helpers/teams-fixture.ts';
import { chromiumAvailable, ensureWebBuilt, guideScreenshot, launchBrowser, screenshot, signInFirstAdmin, startServer, targets, type RunningServer } from './harness.ts';

const haveChromium = chromiumAvailable();
const ADMIN_PASSWORD = 'Quarry-Thistle-Beacon-4417';

describe.skipIf(!haveChromium).each(targets())('Add-tenant wizard in the browser ($name)', (target) => {
  let server: RunningServer;
  let teams: TeamsFixture;
  let msp: RunningEntraSimulator;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let tenantId: string;
  const entraClientId = randomUUID();
  const entraSecret = `wizard-${randomBytes(12).toString('base64url')}`;

  beforeAll(async () => {
    ensureWebBuilt();
    // The customer's app registration starts without TeamsPolicyUserAssign.ReadWrite.All.
    teams = await startTeamsSimulators({ users: 3, permissions: ['User.Read.All', 'TeamsUserConfiguration.Read.All', 'TeamsTelephoneNumber.ReadWrite.All'] });
    msp = await startEntraSimulator();
    server = await startServer(target);
    const home = msp.state.addTenant({ displayName: 'Wizard MSP', domains: ['wizard-msp.example'] });
    msp.state.addApp(home.id, { clientId: entraClientId, secrets: [entraSecret], redirectUris: [`${server.url}/api/auth/entra/callback`] });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await signInFirstAdmin(page, server, ADMIN_PASSWORD);
  });
  beforeEach((ctx) => {
    onTestFailed(async () => {
      if (page) await screenshot(page, `${target.name}-wizard-FAILED-${ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`).catch(() => undefined);
    });
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
    await teams?.close();
    await msp?.close();
    if (server) expect(server.output()).not.toContain(entraSecret);
  });

  it('walks the wizard: lookup, app registration, certificate, a test naming the missing permission, then 3CX and ConnectWise', async () => {
    await page.goto(`${server.url}/tenants`);
    await page.getByRole('link', { name: 'Add tenant (guided)' }).click();
    await page.waitForURL('**/tenants/new');
    await page.getByLabel('Another cloud').check();
    await page.getByLabel('Sign-in URL').fill(teams.entra.url);

    await page.getByLabel('Microsoft tenant id or domain').fill('nobody-here.example');
    await page.getByRole('button', { name: 'Look up' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/Microsoft knows no tenant "nobody-here.example"/);

    await page.getByLabel('Microsoft tenant id or domain').fill(teams.domain);
    await page.getByRole('button', { name: 'Look up' }).click();
    await expect.poll(() => page.getByTestId('resolved-tenant').textContent()).toContain(teams.microsoftTenantId);
    await page.getByLabel('Name in UCR Manager').fill('Wizard Customer');
    await guideScreenshot(page, 'tenant-wizard');
    await page.getByRole('button', { name: 'Create tenant and continue' }).click();

    await page.getByLabel('Application (client) id').fill(teams.clientId);
    await page.getByLabel('Graph URL').fill(teams.graph.url);
    expect(await page.getByTestId('required-permissions').textContent()).toContain('TeamsPolicyUserAssign.ReadWrite.All');
    expect(await page.getByText('Teams Administrator').count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Save and continue' }).click();

    await page.getByRole('button', { name: 'Generate a certificate' }).click();
    const download = page.getByRole('link', { name: 'Download the certificate (.cer)' });
    await download.waitFor();
    tenantId = /\/api\/tenants\/([^/]+)\//.exec((await download.getAttribute('href'))!)![1]!;
    const cer = await page.request.get(`${server.url}/api/tenants/${tenantId}/connections/teams/certificate.cer`);
    const pem = await cer.text();
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(pem).not.toMatch(/PRIVATE KEY/);
    // The admin uploads the .cer to the app registration (the simulator's admin endpoint stands in for the Entra admin center).
    const uploaded = await fetch(`${teams.entra.url}/_sim/tenants/${teams.microsoftTenantId}/apps/${teams.clientId}/certificates`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pem }) });
    expect(uploaded.status).toBe(201);
    await page.getByRole('button', { name: 'Continue to the test' }).click();

    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => page.getByTestId('connection-test').textContent()).toMatch(/Missing \(grant them with admin consent\): TeamsPolicyUserAssign\.ReadWrite\.All/);
    // Granted with admin consent; the next test signs in afresh and passes.
    teams.entra.state.findTenant(teams.microsoftTenantId)!.apps.get(teams.clientId)!.graphPermissions.push('TeamsPolicyUserAssign.ReadWrite.All');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => page.getByTestId('connection-test').textContent()).toContain('The Teams connection works.');
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: '3CX connection' }).waitFor();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'ConnectWise Manage' }).waitFor();
    await page.getByRole('link', { name: 'Finish: open Wizard Customer' }).click();
    await page.waitForURL(`**/tenants/${tenantId}`);
  });

  it('deletes the Teams connection after a confirmation; the card then says not set up', async () => {
    await page.goto(`${server.url}/tenants/${tenantId}/connections`);
    await page.getByRole('button', { name: 'Delete connection' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete the Teams connection?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await (await page.request.get(`${server.url}/api/tenants/${tenantId}/connections/teams`)).json()).configured).toBe(true);
    await page.getByRole('button', { name: 'Delete connection' }).click();
    await dialog.getByRole('button', { name: 'Delete the Teams connection' }).click();
    await expect.poll(() => page.getByTestId('teams-connection-summary').textContent()).toContain('Not set up');
    expect((await (await page.request.get(`${server.url}/api/tenants/${tenantId}/connections/teams`)).json()).configured).toBe(false);
  });

  it('sets up Entra ID sign-in in Settings: redirect URI to copy, Test in place, saved and offered at once', async () => {
    await page.goto(`${server.url}/admin/settings`);
    const section = page.locator('#entra-sign-in');
    await section.getByTestId('entra-redirect-uri').waitFor();
    expect(await section.getByTestId('entra-redirect-uri').textContent()).toBe(`${server.url}/api/auth/entra/callback`);
    await section.getByLabel('Tenant (id or verified domain)').fill('wizard-msp.example');
    await section.getByLabel('Application (client) id').fill('not-a-guid');
    // The password field, not the "Client secret" choice next to "Certificate".
    await section.locator('input[name="clientSecret"]').fill(entraSecret);
    await section.getByLabel('Authority').fill(msp.url);
    await section.getByRole('button', { name: 'Save Entra ID sign-in' }).click();
    // Named at the field; nothing saved.
    await expect.poll(() => section.textContent()).toMatch(/not a valid application \(client\) id/);
    expect((await (await page.request.get(`${server.url}/api/settings/entra-sign-in`)).json()).tenant).toBeNull();
    await section.getByLabel('Application (client) id').fill(entraClientId);
    await section.getByRole('button', { name: 'Test', exact: true }).click();
    await expect.poll(() => section.getByTestId('entra-test-result').textContent()).toContain('Entra ID accepts this configuration.');
    await section.getByRole('button', { name: 'Save Entra ID sign-in' }).click();
    await expect.poll(() => section.textContent()).toContain('On: the sign-in page offers Microsoft Entra ID');
    await guideScreenshot(page, 'entra-settings', { element: section });
    // Applied without a restart: a fresh browser's sign-in page offers Microsoft.
    const fresh = await browser.newContext();
    const signIn = await fresh.newPage();
    await signIn.goto(`${server.url}/sign-in`);
    await signIn.getByRole('link', { name: 'Sign in with Microsoft' }).waitFor();
    await fresh.close();

    // Switched to a certificate: generated here, its .cer uploaded to the app registration, tested and saved.
    await section.getByLabel('Certificate', { exact: true }).check();
    await section.getByRole('button', { name: 'Generate certificate' }).click();
    await section.getByRole('link', { name: 'Download the certificate (.cer)' }).waitFor();
    expect(await section.getByTestId('entra-certificate').textContent()).toMatch(/Thumbprint [0-9A-F]{40}, valid until/);
    const pem = await (await page.request.get(`${server.url}/api/settings/entra-sign-in/certificate.cer`)).text();
    expect(pem).not.toMatch(/PRIVATE KEY/);
    const uploaded = await fetch(`${msp.url}/_sim/tenants/wizard-msp.example/apps/${entraClientId}/certificates`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pem }) });
    expect(uploaded.status).toBe(201);
    await section.getByRole('button', { name: 'Test', exact: true }).click();
    await expect.poll(() => section.getByTestId('entra-test-result').textContent()).toContain('Entra ID accepted the client id and certificate.');
    await guideScreenshot(page, 'entra-settings-certificate', { element: section });
    await section.getByRole('button', { name: 'Save Entra ID sign-in' }).click();
    await expect.poll(async () => (await (await page.request.get(`${server.url}/api/settings/entra-sign-in`)).json()).authMethod).toBe('certificate');
  });
});
