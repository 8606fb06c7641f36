/**
 * 3CX end to end (SPEC B3, E1, E2, C3, C7, C9) on the demo exactly as `npm start` runs it: the
 * demo tenant wired to the built-in 3CX simulator, its DIDs already in the inventory.
 *
 * The first admin switches the demo's 3CX connection to an admin sign-in with 2FA and opens a
 * session with the code, creates an extension with a free DID from the inventory, renames it
 * (the number read-only), renumbers it (the DID stays assigned), deletes it, and finds the DID
 * back in cooling with the whole story on the number's history.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { chromiumAvailable, ensureWebBuilt, guideScreenshot, launchBrowser, screensDir, screenshot, signInFirstAdmin, startServer, targets, type RunningServer } from './harness.ts';

const haveChromium = chromiumAvailable();
const ADMIN_PASSWORD = 'Lantern-Basalt-Orchid-2093';
// The demo PBX's 2FA admin (simulators/demo.ts).
const PBX_ADMIN = { username: 'admin2fa', password: 'demo-3cx-admin', code: '123456' };

type InventoryNumber = { id: string; e164: string; status: string; kind: string; assignee: { type: string; id: string } | null };

describe.skipIf(!haveChromium).each(targets())('3CX in the browser on the npm start demo ($name)', (target) => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let tenantId: string;
  let did: string;
  const shot = (name: string) => screenshot(page, `${target.name}-threecx-${name}`);
  const inventoryNumber = async (e164: string): Promise<InventoryNumber> => {
    const response = await page.request.get(`${server.url}/api/tenants/${tenantId}/numbers?search=${encodeURIComponent(e164.slice(1))}&limit=5`);
    return ((await response.json()) as { numbers: InventoryNumber[] }).numbers.find((n) => n.e164 === e164)!;
  };
  const subTab = (name: string) => page.getByRole('tablist', { name: '3CX' }).getByRole('tab', { name });

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startServer(target, { entry: 'start' });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => console.warn('page error:', e.message));
  });
  beforeEach((ctx) => {
    onTestFailed(async () => {
      if (page) await screenshot(page, `${target.name}-threecx-FAILED-${ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`).catch(() => undefined);
    });
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    if (server) writeFileSync(join(screensDir, `${target.name}-threecx-server.log`), server.output());
    await server?.stop();
    if (server) {
      expect(server.output()).not.toContain('demo-3cx-secret');
      expect(server.output()).not.toContain(PBX_ADMIN.password);
    }
  });

  it("connects the demo tenant's 3CX with an admin sign-in, asking for the 2FA code", async () => {
    await signInFirstAdmin(page, server, ADMIN_PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' }).click();
    await page.getByRole('link', { name: 'Contoso (demo)' }).click();
    await page.waitForURL(/\/tenants\/[0-9a-f-]{36}$/);
    tenantId = /\/tenants\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    await page.getByRole('navigation', { name: 'Tenant sections' }).getByRole('link', { name: '3CX' }).click();
    await page.waitForURL(`**/tenants/${tenantId}/threecx`);
    await subTab('Connection').click();
    await expect.poll(() => page.getByTestId('threecx-fqdn').textContent()).toBe('pbx.contoso.example');

    await page.getByRole('button', { name: 'Change connection' }).click();
    await page.getByLabel('Sign in with').selectOption('admin');
    await page.getByLabel('Admin username').fill(PBX_ADMIN.username);
    await page.getByLabel('Admin password').fill(PBX_ADMIN.password);
    await page.getByRole('button', { name: 'Save connection' }).click();
    await page.getByText('Connection saved.').waitFor();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByTestId('threecx-test-result').getByText(/enter the current 2FA code/).waitFor();
    await shot('2fa-prompt');
    await page.getByLabel('2FA code').fill(PBX_ADMIN.code);
    await page.getByRole('button', { name: 'Open session' }).click();
    await page.getByText('(session open)').waitFor();
  });

  it('creates an extension with a free DID from the inventory', async () => {
    await subTab('Extensions').click();
    await page.getByTestId('extension-row').first().waitFor();
    await page.getByRole('button', { name: 'New extension' }).click();
    const dialog = page.getByRole('dialog', { name: 'New extension' });
    await dialog.getByLabel('Extension number').fill('7300');
    await dialog.getByLabel('First name').fill('Grace');
    await dialog.getByLabel('Last name').fill('Hopper');
    await dialog.getByLabel('Email', { exact: true }).fill('grace.hopper@contoso.example');
    // A DID on one of the PBX's trunks (the demo inventory also holds one no trunk has, which 3CX could not route).
    await dialog.getByLabel('Find a DID').fill('44207946');
    await dialog.getByTestId('did-picker').getByRole('radio', { name: /\+44207946/ }).first().waitFor();
    const firstDid = dialog.getByTestId('did-picker').getByRole('radio', { name: /\+44207946/ }).first();
    did = (await firstDid.getAttribute('value'))!;
    expect(did).toMatch(/^\+\d+$/);
    expect((await inventoryNumber(did)).status).toBe('available');
    await firstDid.check();
    // The demo tenant has ConnectWise: the change's ticket is picked from its open tickets.
    await dialog.getByTestId('ticket-picker').getByRole('button', { name: /^#7004 / }).click();
    await dialog.getByTestId('chosen-ticket').waitFor();
    await shot('create');
    await dialog.getByRole('button', { name: 'Create extension' }).click();
    await page.getByText(`Extension 7300 saved with DID ${did}.`).waitFor();
    await page.getByLabel('Search extensions').fill('7300');
    await page.getByTestId('extension-row').filter({ hasText: 'Grace Hopper' }).filter({ hasText: did }).waitFor();
    await page.getByTestId('threecx-change').filter({ hasText: 'Created' }).filter({ hasText: '7004' }).first().waitFor();
    expect(await inventoryNumber(did)).toMatchObject({ status: 'assigned', kind: 'threecx_did', assignee: { type: 'threecx_extension', id: '7300' } });
  });

  it('updates it', async () => {
    await page.getByRole('button', { name: 'Edit extension 7300' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit extension 7300' });
    // 3CX cannot change an extension's number: it is shown read-only, with the way to renumber.
    expect(await dialog.getByLabel('Extension number').getAttribute('readonly')).not.toBeNull();
    await dialog.getByText('use Renumber in the list instead').waitFor();
    await dialog.getByLabel('First name').fill('Amazing Grace');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await page.getByTestId('extension-row').filter({ hasText: 'Amazing Grace Hopper' }).waitFor();
    await page.getByTestId('threecx-change').filter({ hasText: 'Updated' }).first().waitFor();
  });

  it('renumbers it in one action: a new extension with the same DID, which stays assigned', async () => {
    await page.getByRole('button', { name: 'Renumber extension 7300' }).click();
    const dialog = page.getByRole('dialog', { name: 'Renumber extension 7300' });
    await dialog.getByLabel('New extension number').fill('7301');
    await dialog.getByRole('button', { name: 'Renumber' }).click();
    await page.getByText(`Extension 7300 is now 7301 with DID ${did}.`).waitFor();
    await page.getByLabel('Search extensions').fill('7301');
    await page.getByTestId('extension-row').filter({ hasText: 'Amazing Grace Hopper' }).filter({ hasText: did }).waitFor();
    await page.getByTestId('threecx-change').filter({ hasText: 'Renumbered' }).first().waitFor();
    expect(await inventoryNumber(did)).toMatchObject({ status: 'assigned', assignee: { type: 'threecx_extension', id: '7301' } });
  });

  it('deletes it, and the DID returns through the lifecycle, visible in its history', async () => {
    await page.getByRole('button', { name: 'Delete extension 7301' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete extension 7301?' });
    await confirm.getByTestId('ticket-picker').getByRole('button', { name: /^#7004 / }).click();
    await confirm.getByRole('button', { name: 'Delete extension' }).click();
    await page.getByText(`Extension 7301 deleted; ${did} went back to the inventory.`).waitFor();
    const number = await inventoryNumber(did);
    expect(number).toMatchObject({ status: 'cooling', assignee: null }); // the demo tenant cools numbers for 14 days

    await page.goto(`${server.url}/tenants/${tenantId}/numbers?number=${number.id}`);
    const history = page.getByTestId('number-history');
    await history.getByText('Released').waitFor();
    const text = await history.textContent();
    expect(text).toContain('Assigned');
    expect(text).toContain('Released');
    await shot('history');
  });

  it("shows the PBX's version and counts on the System tab", async () => {
    await page.goto(`${server.url}/tenants/${tenantId}/threecx`);
    await subTab('System').click();
    const system = page.getByTestId('threecx-system');
    await system.getByText('20.0.9.1012').waitFor();
    const figures = Object.fromEntries(
      await system.locator('div').evaluateAll((rows) => rows.map((row) => [row.querySelector('dt')?.textContent ?? '', row.querySelector('dd')?.textContent ?? ''])),
    ) as Record<string, string>;
    expect(figures).toMatchObject({ Version: '20.0.9.1012', Licence: 'Activated' });
    for (const label of ['Extensions', 'Trunks', 'DIDs']) expect(figures[label]).toMatch(/^[1-9][\d,]*$/);
    if (target.name === 'pglite') await guideScreenshot(page, 'threecx-system');
  });

  it('deletes a free DID after confirming, and says why a DID in use cannot be deleted', async () => {
    await subTab('DIDs').click();
    const rows = page.getByTestId('did-row');
    await rows.first().waitFor();
    const before = await rows.count();
    // Default columns: DID, trunk, extension, inventory.
    const used = rows.filter({ has: page.locator('td:nth-child(3):not(:empty)') }).first();
    const usedNumber = (await used.locator('td').first().textContent())!.trim();
    await used.getByRole('button', { name: `Delete ${usedNumber}` }).click();
    const refused = page.getByRole('dialog', { name: `Delete DID ${usedNumber}?` });
    await refused.getByTestId('did-delete-refused').getByText('Give that extension another DID first').waitFor();
    expect(await refused.getByRole('button', { name: 'Delete DID' }).count()).toBe(0);
    await refused.getByTestId('did-delete-refused').getByRole('button', { name: 'Close' }).click();

    const free = rows.filter({ has: page.locator('td:nth-child(3):empty') }).first();
    const freeNumber = (await free.locator('td').first().textContent())!.trim();
    await free.getByRole('button', { name: `Delete ${freeNumber}` }).click();
    const confirm = page.getByRole('dialog', { name: `Delete DID ${freeNumber}?` });
    await confirm.getByText('3CX has no delete for a DID on its own').waitFor();
    await confirm.getByTestId('ticket-picker').getByRole('button', { name: /^#7004 / }).click();
    await confirm.getByRole('button', { name: 'Delete DID' }).click();
    await page.getByText(`DID ${freeNumber} deleted from`).waitFor();
    await expect.poll(() => rows.count()).toBe(before - 1);
    expect(await rows.filter({ hasText: freeNumber }).count()).toBe(0);
  });
});
