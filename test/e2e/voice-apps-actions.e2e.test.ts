/**
 * Voice apps, the write side (#20), in the browser: on a server with the PowerShell bridge (the
 * fake pwsh over the Graph simulator), the admin creates a resource account from the Voice apps
 * page — the job's steps show as they run — then assigns it a service number from the inventory.
 * Teams (the Graph simulator) and the inventory show each.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api-client.ts';
import { connectedTenant, startTeamsSimulators, type TeamsFixture } from '../helpers/teams-fixture.ts';
import { chromiumAvailable, ensureWebBuilt, guideScreenshot, launchBrowser, screensDir, screenshot, signInFirstAdmin, startServer, targets, type RunningServer } from './harness.ts';

const haveChromium = chromiumAvailable();
const ADMIN_PASSWORD = 'Harbour-Quartz-Meridian-7741';
const fakePwsh = fileURLToPath(new URL('../fixtures/fake-pwsh.mjs', import.meta.url));

describe.skipIf(!haveChromium).each(targets())('voice apps actions in the browser ($name)', (target) => {
  let fx: TeamsFixture;
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let tenantId: string;
  let numbers: Record<string, string>;
  const sim = () => fx.graph.state.tenants.get(fx.microsoftTenantId)!;

  beforeAll(async () => {
    ensureWebBuilt();
    fx = await startTeamsSimulators({ users: 20, seed: 31 });
    server = await startServer(target, { env: { UCR_PWSH_PATH: fakePwsh, FAKE_PWSH_GRAPH_URL: fx.graph.url } });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => console.warn('page error:', e.message));
  }, 240_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    mkdirSync(screensDir, { recursive: true });
    if (server) writeFileSync(join(screensDir, `${target.name}-voice-apps-actions-server.log`), server.output());
    await server?.stop();
    await fx?.close();
  });

  it('the admin signs in; the tenant is connected to Teams with the certificate the bridge signs in with', async () => {
    await signInFirstAdmin(page, server, ADMIN_PASSWORD);
    const admin = new ApiClient(server.url, new Set());
    await admin.login(server.adminEmail, ADMIN_PASSWORD);
    ({ tenantId, numbers } = await connectedTenant(admin, fx, 'Fabrikam'));
    await admin.request('PUT', `/api/tenants/${tenantId}/connections/teams`, { clientId: fx.clientId, authMethod: 'certificate', cloud: 'custom', loginBaseUrl: fx.entra.url, graphBaseUrl: fx.graph.url });
    const generated = await admin.post(`/api/tenants/${tenantId}/connections/teams/certificate/generate`);
    await fetch(`${fx.entra.url}/_sim/tenants/${fx.microsoftTenantId}/apps/${fx.clientId}/certificates`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pem: generated.body.certificatePem }) });
    expect((await admin.post(`/api/tenants/${tenantId}/connections/teams/test`)).status).toBe(200);
  });

  it('creates a resource account: the form, then each step of the job as it runs', async () => {
    await page.goto(`${server.url}/tenants/${tenantId}/voice-apps`);
    await page.getByRole('button', { name: 'New resource account' }).click();
    const dialog = page.getByRole('dialog', { name: 'New resource account' });
    await dialog.getByLabel('Display name').fill('Main line AA');
    await dialog.getByLabel('User principal name').fill(`mainline@${fx.domain}`);
    await dialog.getByLabel('Type').selectOption('aa');
    await dialog.getByLabel('Usage location').fill('US');
    await dialog.getByLabel('Ticket (optional)').fill('');
    if (target.name === 'pglite') await guideScreenshot(page, 'voice-apps-new-resource-account', { element: dialog });
    await dialog.getByRole('button', { name: 'Create resource account' }).click();
    await dialog.getByText(`Resource account mainline@${fx.domain} created.`).waitFor({ timeout: 60_000 });
    const steps = await dialog.getByRole('list', { name: 'Steps' }).textContent();
    expect(steps).toContain('Create the resource account');
    expect(steps).toContain('Set usage location US and licence PHONESYSTEM_VIRTUALUSER.');
    await screenshot(page, `${target.name}-voice-apps-1-created`);
    await dialog.getByRole('button', { name: 'Close' }).last().click();
    const account = [...sim().users.values()].find((u) => u.userPrincipalName === `mainline@${fx.domain}`)!;
    expect(account).toMatchObject({ accountType: 'resourceAccount', usageLocation: 'US', licenses: ['TeamsPhoneResourceAccount'] });
  });

  it('assigns a service number to the new account; Teams and the inventory show it', async () => {
    await page.getByRole('button', { name: 'Assign number: Main line AA' }).click();
    const dialog = page.getByRole('dialog', { name: /Assign number — Main line AA/ });
    const e164 = Object.keys(numbers)[0]!;
    await dialog.getByLabel('Find a number in the inventory').fill(e164.slice(-6));
    await dialog.getByRole('radio', { name: new RegExp(e164.replace('+', '\\+')) }).check();
    await dialog.getByRole('button', { name: 'Assign number' }).click();
    await dialog.getByText(`${e164} assigned in Teams.`, { exact: false }).waitFor({ timeout: 30_000 });
    await screenshot(page, `${target.name}-voice-apps-2-number`);
    await dialog.getByRole('button', { name: 'Close' }).last().click();
    await page.getByRole('button', { name: 'Remove number: Main line AA' }).waitFor();
    const account = [...sim().users.values()].find((u) => u.userPrincipalName === `mainline@${fx.domain}`)!;
    expect(sim().numbers.get(e164)).toMatchObject({ assignmentTargetId: account.id, assignmentStatus: 'voiceApplicationAssigned' });
    const inventory = await page.request.get(`${server.url}/api/tenants/${tenantId}/numbers/${numbers[e164]}`);
    expect(await inventory.json()).toMatchObject({ status: 'assigned', assignee: { name: 'Main line AA (resource account)' } });
  });
});
