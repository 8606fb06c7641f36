/**
 * Voice apps end to end (#20, read side) on the demo as `npm start` runs it: the built-in Graph
 * simulator and the simulated Teams PowerShell (scripts/start.ts sets UCR_PWSH_PATH to
 * simulators/teams-powershell/pwsh.mjs), whose tenant has a main-line auto attendant and two
 * call queues. The first admin opens the tenant's Voice apps page (nothing read yet), refreshes
 * from Teams, sees the resource accounts, the auto attendant's menu, hours and holiday and the
 * queues' agents and timeout, then opens the printable export.
 * The picture for the user guide goes to test-results/screenshots, or docs/images with UCR_UPDATE_SCREENSHOTS=1.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, ensureWebBuilt, launchBrowser, repoRoot, type RunningServer, screensDir, screenshot, screenshotOnFailure, signInFirstAdmin, startServer, targets } from './harness.ts';

const haveChromium = chromiumAvailable();
const ADMIN_PASSWORD = 'Harbour-Quill-Meadow-5127';
const docsDir = process.env.UCR_UPDATE_SCREENSHOTS === '1' ? join(repoRoot, 'docs', 'images') : join(repoRoot, 'test-results', 'screenshots');

describe.skipIf(!haveChromium).each(targets())('voice apps in the browser on the npm start demo ($name)', (target) => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let tenantId: string;

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startServer(target, { entry: 'start' });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => console.warn('page error:', e.message));
  });
  screenshotOnFailure(() => `${target.name}-voice-apps`, () => page);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    if (server) writeFileSync(join(screensDir, `${target.name}-voice-apps-server.log`), server.output());
    await server?.stop();
  });

  it('says in the demo log that Teams PowerShell is simulated', () => {
    expect(server.output()).toMatch(/Teams PowerShell is SIMULATED/);
  });

  it('opens the Voice apps page, refreshes from Teams and shows accounts, call flow, hours and queues', async () => {
    await signInFirstAdmin(page, server, ADMIN_PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' }).click();
    await page.getByRole('link', { name: 'Contoso (demo)' }).click();
    await page.waitForURL(/\/tenants\/[0-9a-f-]{36}$/);
    tenantId = /\/tenants\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    await page.getByRole('navigation', { name: 'Tenant sections' }).getByRole('link', { name: 'Voice apps' }).click();
    await page.waitForURL(/\/voice-apps$/);
    await expect.poll(() => page.getByTestId('voice-apps-refreshed').textContent()).toMatch(/Not read from Teams yet/);
    // The demo's bridge is set up: no set-up notice.
    expect(await page.getByTestId('voice-apps-setup').count()).toBe(0);

    await page.getByRole('button', { name: 'Refresh from Teams' }).click();
    await expect.poll(() => page.getByTestId('voice-apps-refreshed').textContent()).toMatch(/Last refreshed from Teams/);
    const mainLine = page.getByTestId('resource-account-row').filter({ hasText: 'Contoso Main Line' });
    await mainLine.waitFor();
    expect(await mainLine.textContent()).toMatch(/aa-mainline@.*Auto attendant.*\+14255559000.*Teams Phone Resource Account.*Auto attendant Contoso Main Line/);

    const aa = page.getByRole('article', { name: 'Auto attendant Contoso Main Line' });
    const options = await aa.getByTestId('menu-option').allTextContents();
    expect(options.slice(0, 3)).toEqual([
      expect.stringMatching(/^Press 1 → TransferCallToTarget: Contoso Sales Queue → call queue Contoso Sales/),
      expect.stringMatching(/^Press 2 → TransferCallToTarget: Contoso Support Queue \(\+14255559001\)/),
      expect.stringMatching(/^Press 0 → TransferCallToTarget: .+ \(User\)$/),
    ]);
    expect(await aa.textContent()).toMatch(/Friday08:30–16:00/);
    expect(await aa.textContent()).toMatch(/Christmas 2026/);
    const support = page.getByRole('article', { name: 'Call queue Contoso Support' });
    expect(await support.getByTestId('queue-timeout').textContent()).toMatch(/after 300 s, Forward → \+14255559199|after 300 s, Forward → \+14255550199/);

    if (target.name === 'pglite') {
      mkdirSync(docsDir, { recursive: true });
      await page.evaluate(() => {
        (document.activeElement as HTMLElement | null)?.blur();
        window.scrollTo(0, 0);
      });
      await page.screenshot({ path: join(docsDir, 'voice-apps.png'), animations: 'disabled', caret: 'hide' });
    }
    await screenshot(page, `${target.name}-voice-apps-1-page`);
  });

  it('opens the printable export with the call flow', async () => {
    const link = page.getByRole('link', { name: 'Print / export' });
    expect(await link.getAttribute('href')).toBe(`/api/tenants/${tenantId}/voice-apps/export`);
    const [exported] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await exported.waitForLoadState();
    await exported.getByRole('heading', { name: 'Voice apps — Contoso (demo)' }).waitFor();
    await exported.getByRole('heading', { name: 'Auto attendant: Contoso Main Line' }).waitFor();
    expect(await exported.locator('.option').first().textContent()).toMatch(/Press 1→TransferCallToTarget: Contoso Sales Queue/);
    await exported.getByRole('heading', { name: 'Call queue: Contoso Support' }).waitFor();
    await screenshot(exported, `${target.name}-voice-apps-2-export`);
    await exported.close();
  });
});
