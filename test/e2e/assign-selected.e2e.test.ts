/**
 * Assigning a few users without a spreadsheet, end to end on the `npm start` demo: two users are
 * ticked in the Teams user list, one gets the next free number of a range and the other a number
 * picked from the inventory. Picking the same number twice is refused by the dry run with the
 * reason on the user, and nothing can run; fixed, the dry run passes, the job runs on the Bulk page
 * (the same engine as a CSV upload) and both users have their numbers in Teams.
 *
 * The voice form of a user shows where its policy dropdowns come from: the catalog's last refresh
 * and, on this demo without the PowerShell bridge, exactly what to set up (as the Policies page says).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, ensureWebBuilt, guideScreenshot, launchBrowser, type RunningServer, screenshotOnFailure, signInFirstAdmin, startServer, targets } from './harness.ts';

const haveChromium = chromiumAvailable();
const ADMIN_PASSWORD = 'Quarry-Lantern-Meadow-7731';

type TeamsUser = { userId: string; upn: string; accountEnabled: boolean; usageLocation: string | null; phoneSystem: boolean; numbers: Array<{ telephoneNumber: string }> };
type InventoryNumber = { id: string; e164: string; status: string; kind: string; rangeId: string | null };

describe.skipIf(!haveChromium).each(targets())('assigning ticked Teams users in the browser ($name)', (target) => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let tenantId: string;
  let ready: TeamsUser[] = [];
  let nextFree = '';
  let picked = '';
  const api = async <T,>(path: string): Promise<T> => {
    const response = await page.request.get(`${server.url}${path}`);
    expect(response.status(), `GET ${path}`).toBe(200);
    return (await response.json()) as T;
  };
  const card = (upn: string) => page.getByTestId('assign-selected').getByRole('listitem', { name: upn, exact: true });

  beforeAll(async () => {
    ensureWebBuilt();
    // Without the demo's simulated Teams PowerShell: this suite checks what the voice form says when the bridge is not set up.
    server = await startServer(target, { entry: 'start', env: { UCR_DEMO_POWERSHELL: 'false' } });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => console.warn('page error:', e.message));
  });
  screenshotOnFailure(() => `${target.name}-assign-selected`, () => page);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  it('opens the Voice tab, which says when the users were synced from Teams', async () => {
    await signInFirstAdmin(page, server, ADMIN_PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' }).click();
    await page.getByRole('link', { name: 'Contoso (demo)' }).click();
    await page.waitForURL(/\/tenants\/[0-9a-f-]{36}$/);
    tenantId = /\/tenants\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    const tabs = page.getByRole('navigation', { name: 'Tenant sections' });
    await tabs.getByRole('link', { name: 'Voice', exact: true }).click();
    await page.waitForURL(`**/tenants/${tenantId}/voice`);
    const synced = page.getByTestId('directory-synced');
    await synced.filter({ hasText: /Synced from Teams|Not synced from Teams yet/ }).waitFor();
    const freshness = await api<{ syncedAt: string | null; staleAfterMinutes: number }>(`/api/tenants/${tenantId}/teams/directory`);
    expect(freshness.staleAfterMinutes).toBe(15);
    if (freshness.syncedAt) expect(await synced.textContent()).toContain('Synced from Teams');

    const { users } = await api<{ users: TeamsUser[] }>(`/api/tenants/${tenantId}/teams/users?search=contoso&limit=200`);
    ready = users.filter((u) => u.phoneSystem && u.numbers.length === 0 && u.usageLocation && u.accountEnabled).slice(0, 2);
    expect(ready).toHaveLength(2);
    const ranges = (await api<{ ranges: Array<{ id: string; name: string }> }>(`/api/tenants/${tenantId}/ranges`)).ranges;
    const seattle = ranges.find((r) => r.name === 'Seattle DR block')!;
    const free = (await api<{ numbers: InventoryNumber[] }>(`/api/tenants/${tenantId}/numbers?rangeId=${seattle.id}&status=available&limit=50`)).numbers.map((n) => n.e164).sort();
    // The range gives its lowest free number; the one picked by hand is another.
    nextFree = free[0]!;
    picked = free[free.length - 1]!;
    expect(picked).not.toBe(nextFree);
  });

  it('ticks two users; the same number picked twice is refused per user and nothing can run', async () => {
    for (const user of ready) {
      await page.getByLabel('Find a user').fill(user.upn);
      await page.getByLabel(`Tick ${user.upn} to assign with others`).check();
    }
    await page.getByRole('heading', { name: 'Assign 2 selected users' }).waitFor();
    for (const user of ready) {
      const c = card(user.upn);
      await c.getByLabel('Number', { exact: true }).selectOption('specific');
      await c.getByLabel('Find a number in the inventory').fill(picked.slice(1));
      await c.getByTestId('number-picker').getByText(picked, { exact: true }).click();
    }
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByText('1 user did not pass the dry run, so nothing can run yet.', { exact: false }).waitFor();
    expect(await card(ready[1]!.upn).getByTestId('selected-user-error').textContent()).toBe(`The same number is on row 1 (${ready[0]!.upn}).`);
    expect(await page.getByRole('button', { name: /^Run for/ }).count()).toBe(0);
    // Nothing changed in the inventory.
    const number = (await api<{ numbers: InventoryNumber[] }>(`/api/tenants/${tenantId}/numbers?search=${picked.slice(1)}&limit=5`)).numbers.find((n) => n.e164 === picked);
    expect(number?.status).toBe('available');
  });

  it('next free of the range for one, the picked number for the other: dry run passes, the job runs, both have their numbers', async () => {
    const first = card(ready[0]!.upn);
    await first.getByLabel('Number', { exact: true }).selectOption('range');
    await first.getByLabel('Range').selectOption('Seattle DR block');
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByText('Every user passes: 2 changes ready to run.').waitFor();
    await guideScreenshot(page, 'assign-selected', { element: page.getByTestId('assign-selected') });

    await page.getByRole('button', { name: 'Run for 2 users' }).click();
    await page.waitForURL(/\/bulk\?job=[0-9a-f-]{36}$/);
    const jobId = /job=([0-9a-f-]{36})/.exec(page.url())![1]!;
    await page.getByRole('heading', { name: 'Bulk job' }).waitFor();
    await page.getByTestId('bulk-progress').filter({ hasText: 'Completed' }).waitFor({ timeout: 60_000 });
    const job = await api<{ source: string; counts: { succeeded: number; failed: number }; rows: Array<{ input: { upn: string }; numberE164: string | null; state: string }> }>(`/api/tenants/${tenantId}/bulk-assignments/${jobId}`);
    expect(job.source).toBe('selection');
    expect(job.counts).toMatchObject({ succeeded: 2, failed: 0 });
    expect(job.rows.map((r) => [r.input.upn, r.numberE164])).toEqual([
      [ready[0]!.upn, nextFree],
      [ready[1]!.upn, picked],
    ]);
    for (const [i, user] of ready.entries()) {
      const live = await api<TeamsUser>(`/api/tenants/${tenantId}/teams/users/${user.userId}?live=true`);
      expect(live.numbers.map((n) => n.telephoneNumber)).toEqual([i === 0 ? nextFree : picked]);
    }
  });

  it("the voice form's policy dropdowns say when the catalog was refreshed and what the Refresh needs", async () => {
    await page.goto(`${server.url}/tenants/${tenantId}/voice?user=${ready[0]!.userId}`);
    const form = page.getByRole('form', { name: 'Change voice set-up' });
    const refreshed = form.getByTestId('policies-refreshed');
    await refreshed.waitFor();
    expect(await refreshed.textContent()).toMatch(/^(Never refreshed from Teams|Last refreshed from Teams )/);
    // No bridge on the demo: no button, but the same set-up text as the Policies page.
    expect(await form.getByRole('button', { name: 'Refresh from Teams' }).count()).toBe(0);
    const inForm = await form.getByTestId('powershell-setup').textContent();
    expect(inForm).toContain('set UCR_PWSH_PATH to the pwsh executable');
    await page.goto(`${server.url}/tenants/${tenantId}/policies`);
    await page.getByTestId('powershell-setup').waitFor();
    expect(await page.getByTestId('powershell-setup').textContent()).toBe(inForm);
    // The dropdown offers the tenant's policies of its type.
    await page.goto(`${server.url}/tenants/${tenantId}/voice?user=${ready[0]!.userId}`);
    const routing = page.getByRole('form', { name: 'Change voice set-up' }).getByLabel('Voice routing policy');
    await routing.waitFor();
    // The catalog arrives after the form: wait for its options rather than read them once.
    await expect.poll(() => routing.locator('option').allTextContents()).toContain('US-International');
  });
});
