/**
 * Emergency locations end to end (#19) on the demo exactly as `npm start` runs it: scripts/start.ts
 * with the built-in Teams (Graph) simulator in the same process and no PowerShell bridge, so the
 * demo's locations come from a CSV import (Seattle HQ, its Floor 2, London Office; the Seattle and
 * London sites default to them).
 *
 * The first admin sets one assigned number's location in the number drawer (Graph updateNumber)
 * and sees it, in the drawer and in Teams; assigns a Seattle block number in the voice panel
 * with London Office instead of its default; opens the Emergency page, which says the bridge is
 * not set up and offers the CSV import; imports a location; gives the Seattle block a default;
 * sees the report (numbers without a location; the voice-assigned number differing from its
 * range's default); runs Fix all and follows the bulk job on the Bulk tab until it completes,
 * after which the report has nothing left to fix and Teams has the default.
 * Pictures for the user guide go to test-results/screenshots, or docs/images with UCR_UPDATE_SCREENSHOTS=1.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { chromiumAvailable, demoSimulators, ensureWebBuilt, launchBrowser, repoRoot, screensDir, screenshot, signInFirstAdmin, startServer, targets, type RunningServer } from './harness.ts';

const haveChromium = chromiumAvailable();
const ADMIN_PASSWORD = 'Beacon-Fjord-Lattice-3318';
const DEMO_TENANT_ID = '6f1d3c2a-8b4e-4c1f-9a7d-0c5e2b9f4a11';
const FLOOR_2 = '7c2e4f10-91ab-4d3e-b5a6-0f1e2d3c4b02';
const LONDON = '7c2e4f10-91ab-4d3e-b5a6-0f1e2d3c4b03';
const docsDir = process.env.UCR_UPDATE_SCREENSHOTS === '1' ? join(repoRoot, 'docs', 'images') : join(repoRoot, 'test-results', 'screenshots');

type Issue = { numberId: string; e164: string; problem: 'missing' | 'differs'; locationId: string | null; defaultLocationId: string | null; defaultLabel: string | null; fixable: boolean };
type TeamsUser = { userId: string; upn: string; displayName: string; accountEnabled: boolean; usageLocation: string | null; phoneSystem: boolean; numbers: unknown[] };
type Report = { assignedNumbers: number; missing: number; differs: number; fixable: number; issues: Issue[] };

/** The simulated Teams tenant's own view of one number (Graph, as the app's registration sees it). */
async function teamsNumber(entraUrl: string, graphUrl: string, e164: string): Promise<{ telephoneNumber: string; locationId?: string | null } | undefined> {
  const token = await fetch(`${entraUrl}/${DEMO_TENANT_ID}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ client_id: 'demo-client', client_secret: 'demo-secret', grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' }),
  }).then(async (r) => ((await r.json()) as { access_token: string }).access_token);
  for (let skip = 0; ; skip += 1000) {
    const page = (await fetch(`${graphUrl}/v1.0/admin/teams/telephoneNumberManagement/numberAssignments?$top=1000&$skip=${skip}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json())) as { value: Array<{ telephoneNumber: string; locationId?: string | null }> };
    const found = page.value.find((n) => n.telephoneNumber === e164);
    if (found || page.value.length < 1000) return found;
  }
}

describe.skipIf(!haveChromium).each(targets())('emergency locations in the browser on the npm start demo ($name)', (target) => {
  let server: RunningServer;
  let sims: { entra: string; graph: string };
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let tenantId: string;
  let chosen: Issue;
  let dr = '';
  const shot = (name: string) => screenshot(page, `${target.name}-emergency-${name}`);
  /** A picture for the user guide (one set is enough): the top of the page, or from `heading` down. */
  const docShot = async (name: string, heading?: string) => {
    if (target.name !== 'pglite') return;
    mkdirSync(docsDir, { recursive: true });
    await page.evaluate(() => {
      (document.activeElement as HTMLElement | null)?.blur();
      window.scrollTo(0, 0);
    });
    if (heading) await page.getByRole('heading', { name: heading, exact: true }).evaluate((el) => el.closest('section')?.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(docsDir, `${name}.png`), animations: 'disabled', caret: 'hide' });
  };
  const api = async <T,>(path: string): Promise<T> => {
    const response = await page.request.get(`${server.url}${path}`);
    expect(response.status(), `GET ${path}`).toBe(200);
    return (await response.json()) as T;
  };
  const report = () => api<Report>(`/api/tenants/${tenantId}/emergency/report`);
  const tabs = () => page.getByRole('navigation', { name: 'Tenant sections' });

  beforeAll(async () => {
    ensureWebBuilt();
    // This suite is about the demo without a PowerShell bridge (what the page says, the CSV import).
    server = await startServer(target, { entry: 'start', env: { UCR_DEMO_POWERSHELL: 'false' } });
    sims = demoSimulators(server);
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => console.warn('page error:', e.message));
  });

  beforeEach((ctx) => {
    onTestFailed(async () => {
      const name = ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40);
      if (page) await screenshot(page, `${target.name}-emergency-FAILED-${name}`).catch(() => undefined);
    });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    if (server) writeFileSync(join(screensDir, `${target.name}-emergency-server.log`), server.output());
    await server?.stop();
  });

  it('sets an assigned number’s emergency location in the number drawer, in Teams too', async () => {
    await signInFirstAdmin(page, server, ADMIN_PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' }).click();
    await page.getByRole('link', { name: 'Contoso (demo)' }).click();
    await page.waitForURL(/\/tenants\/[0-9a-f-]{36}$/);
    tenantId = /\/tenants\/([0-9a-f-]{36})/.exec(page.url())![1]!;

    // The demo's Teams numbers are assigned without a location (and, read from Teams, without a site or range).
    const before = await report();
    expect(before.missing).toBeGreaterThan(1);
    chosen = before.issues.find((i) => i.problem === 'missing')!;

    await tabs().getByRole('link', { name: 'Numbers' }).click();
    await page.getByRole('search', { name: 'Find numbers' }).getByLabel('Search').fill(chosen.e164.slice(1));
    const row = page.getByTestId('number-row').filter({ hasText: chosen.e164 });
    await row.getByRole('link', { name: new RegExp(`\\${chosen.e164}`) }).click();
    const drawer = page.getByRole('dialog').filter({ has: page.getByRole('heading', { name: chosen.e164 }) });
    await drawer.getByLabel('Set emergency location').waitFor();
    await drawer.getByLabel('Set emergency location').selectOption({ label: 'Seattle HQ — Floor 2' });
    await drawer.getByRole('button', { name: 'Save location' }).click();
    await drawer.getByRole('status').filter({ hasText: 'Emergency location saved in Teams.' }).waitFor();
    // The drawer names it, and Teams has it.
    await drawer.locator('dt', { hasText: 'Emergency location' }).locator('xpath=following-sibling::dd').filter({ hasText: 'Seattle HQ — Floor 2' }).waitFor();
    expect((await teamsNumber(sims.entra, sims.graph, chosen.e164))?.locationId).toBe(FLOOR_2);
    await shot('1-drawer');
    await docShot('emergency-number-drawer');
    expect((await report()).issues.some((i) => i.e164 === chosen.e164)).toBe(false);
    await page.keyboard.press('Escape');
  });

  it('assigns a Seattle block number in the voice panel with another location than its default', async () => {
    const { users } = await api<{ users: TeamsUser[] }>(`/api/tenants/${tenantId}/teams/users?search=contoso&limit=200`);
    const user = users.find((u) => u.phoneSystem && u.numbers.length === 0 && u.usageLocation && u.accountEnabled)!;
    expect(user, 'a user ready for a number').toBeDefined();
    for (let i = 150; i < 300 && !dr; i += 1) {
      const e164 = `+1425555${String(i).padStart(4, '0')}`;
      const found = (await api<{ numbers: Array<{ e164: string; status: string }> }>(`/api/tenants/${tenantId}/numbers?search=${e164.slice(1)}&limit=5`)).numbers.find((n) => n.e164 === e164);
      if (found?.status === 'available') dr = e164;
    }
    expect(dr, 'an available Seattle DR block number').toBeTruthy();

    await tabs().getByRole('link', { name: 'Voice', exact: true }).click();
    await page.getByLabel('Find a user').fill(user.upn);
    await page.getByTestId('user-result').filter({ hasText: user.upn }).click();
    await page.getByRole('heading', { name: user.displayName }).waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Apply in Teams' }).isEnabled()).toBe(true);
    await page.getByLabel('Assign a number from the inventory').check();
    await page.getByLabel('Find a number in the inventory').fill(dr.slice(1));
    await page.getByTestId('number-picker').getByRole('radio', { name: new RegExp(`\\${dr}`) }).check();
    // Left alone, the number gets its site's default.
    const picker = page.getByLabel('Emergency location');
    await expect.poll(async () => (await picker.locator('option').first().textContent()) ?? '').toBe('The number’s / range’s / site’s default — Seattle HQ');
    await picker.selectOption({ label: 'London Office' });
    await shot('2-voice-form');
    await page.getByRole('button', { name: 'Apply in Teams' }).click();
    await page.getByTestId('change-status').and(page.locator('[data-status="succeeded"]')).waitFor({ timeout: 30_000 });
    expect((await teamsNumber(sims.entra, sims.graph, dr))?.locationId).toBe(LONDON);
    await tabs().getByRole('link', { name: 'Emergency' }).click();
    await page.waitForURL(`**/tenants/${tenantId}/emergency`);
  });

  it('shows the locations, says the bridge is not set up and imports a CSV', async () => {
    await page.getByRole('heading', { name: 'Emergency locations' }).waitFor();
    expect(await tabs().getByRole('link', { name: 'Emergency' }).getAttribute('data-status')).toBe('active');
    const rows = page.getByTestId('emergency-location-row');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.filter({ hasText: 'Floor 2' }).textContent()).toContain(FLOOR_2);
    expect(await rows.filter({ hasText: 'London Office' }).textContent()).toContain('GB');
    expect(await rows.first().textContent()).toContain('CSV import');
    // No bridge: no buttons that would need it, and the way round it in words.
    await page.getByText('The PowerShell bridge is not set up for this tenant').waitFor();
    expect(await page.getByText('Locations › Emergency addresses › Export').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Refresh from Teams' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Add location' }).count()).toBe(0);

    const csv = ['Location Id,Civic Address Id,Location,Company Name,Description,House Number,Street Name,City,State Or Province,Postal Code,Country Or Region', '9d8c7b6a-0000-4000-8000-00000000d001,9d8c7b6a-0000-4000-8000-00000000a001,,Contoso,Dublin Office,5,Sample Quay,Dublin,,D02 XY00,IE', ''].join('\r\n');
    await page.getByLabel('CSV file').setInputFiles({ name: 'emergency-addresses.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('status').filter({ hasText: 'Imported 1 location; the tenant now has 4 locations.' }).waitFor();
    await expect.poll(() => rows.count()).toBe(4);
    expect(await rows.filter({ hasText: 'Dublin Office' }).textContent()).toContain('IE');
  });

  it('sets the Seattle block’s default, reports the number that differs, fixes it as a bulk job and sees it finish', async () => {
    // The range's default comes before its site's.
    const range = page.getByLabel('Seattle DR block');
    await range.selectOption({ label: 'Seattle HQ — Floor 2' });
    await page.getByText('Saved.').waitFor();
    const before = await report();
    const issue = before.issues.find((i) => i.e164 === dr)!;
    expect(issue).toMatchObject({ problem: 'differs', locationId: LONDON, defaultLocationId: FLOOR_2, defaultFrom: 'range', fixable: true });
    await page.getByRole('heading', { name: `Assigned without a location (${before.missing})` }).waitFor();
    await page.getByRole('heading', { name: `Different from the default (${before.differs})` }).waitFor();
    const differs = page.getByRole('table', { name: 'Numbers whose location differs from their default' });
    const row = differs.getByTestId('emergency-issue-row').filter({ hasText: dr });
    await expect.poll(async () => (await row.textContent()) ?? '').toContain('Seattle HQ — Floor 2 (range)');
    expect(await row.textContent()).toContain('London Office');
    // A long list shows its first rows, and the rest on request.
    const missingRows = page.getByRole('table', { name: 'Numbers assigned without a location' }).getByTestId('emergency-issue-row');
    expect(await missingRows.count()).toBe(Math.min(10, before.missing));
    await shot('4-report');
    await docShot('emergency-page');
    await docShot('emergency-report', 'Report');
    if (before.missing > 10) {
      await page.getByRole('button', { name: `Show all ${before.missing}` }).click();
      await expect.poll(() => missingRows.count()).toBe(before.missing);
    }

    await page.getByRole('button', { name: `Fix all (${before.fixable})` }).click();
    await page.getByRole('status').filter({ hasText: 'Fix started as a bulk job.' }).waitFor();
    await page.getByRole('link', { name: 'Follow it on the Bulk page' }).click();
    await page.waitForURL(/\/bulk\?job=[0-9a-f-]{36}$/);
    await page.getByTestId('bulk-progress').filter({ hasText: 'Completed' }).waitFor({ timeout: 90_000 });
    expect(await page.getByTestId('count-succeeded').textContent()).toBe(String(before.fixable));
    expect(await page.getByTestId('count-failed').textContent()).toBe('0');
    await shot('5-bulk-done');
    await docShot('emergency-fix-bulk');

    // Back on the Emergency page nothing fixable is left, and Teams has the range's default.
    await tabs().getByRole('link', { name: 'Emergency' }).click();
    const after = await report();
    expect(after.fixable).toBe(0);
    expect(after.issues.some((i) => i.e164 === dr)).toBe(false);
    await page.getByRole('heading', { name: `Different from the default (${after.differs})` }).waitFor();
    expect(await page.getByRole('button', { name: /^Fix all/ }).count()).toBe(0);
    expect((await teamsNumber(sims.entra, sims.graph, dr))?.locationId).toBe(FLOOR_2);
  });
});
