/**
 * The user guide's pictures, taken from the real app on the `npm start` demo: tenants, the
 * number inventory, a number's history, the voice panel with a user, a bulk dry run, the audit
 * log and the settings. Each step waits for the content it shows, so a screen that breaks fails
 * here. Pictures go to test-results/screenshots; with UCR_UPDATE_SCREENSHOTS=1 they replace the
 * committed ones in docs/images (then commit them).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, ensureWebBuilt, guideScreenshot, launchBrowser, signInFirstAdmin, startServer, type RunningServer } from './harness.ts';

const haveChromium = chromiumAvailable();

type TeamsUser = { userId: string; upn: string; displayName: string; accountEnabled: boolean; usageLocation: string | null; phoneSystem: boolean; numbers: unknown[] };
type InventoryNumber = { id: string; e164: string; status: string };

// One set of pictures is enough: the screens do not depend on the database.
describe.skipIf(!haveChromium)('screenshots for the user guide (npm start demo)', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let tenantId: string;
  let assignedNumber: InventoryNumber;

  const shot = (name: string) => guideScreenshot(page, name);
  const api = async <T,>(path: string): Promise<T> => {
    const response = await page.request.get(`${server.url}${path}`);
    expect(response.status(), `GET ${path}`).toBe(200);
    return (await response.json()) as T;
  };
  const tab = (name: string) => page.getByRole('navigation', { name: 'Tenant sections' }).getByRole('link', { name, exact: true });

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startServer({ name: 'pglite' }, { entry: 'start' });
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => console.warn('page error:', e.message));
    await signInFirstAdmin(page, server, 'Lantern-Orchard-Basalt-2291');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('tenants list', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' }).click();
    await page.getByRole('heading', { name: 'Tenants', level: 1 }).waitFor();
    await page.getByTestId('tenant-row').filter({ hasText: 'Contoso (demo)' }).waitFor();
    await shot('tenants');
  });

  it('number inventory', async () => {
    await page.getByRole('link', { name: 'Contoso (demo)' }).click();
    await page.waitForURL(/\/tenants\/[0-9a-f-]{36}$/);
    tenantId = /\/tenants\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    await tab('Numbers').click();
    await page.waitForURL(`**/tenants/${tenantId}/numbers`);
    await page.getByTestId('number-row').first().waitFor();
    expect(await page.getByTestId('numbers-total').textContent()).toMatch(/\d+ numbers/);
    await shot('numbers');
  });

  it('voice panel: a number assigned to a user, confirmed by Teams', async () => {
    const { users } = await api<{ users: TeamsUser[] }>(`/api/tenants/${tenantId}/teams/users?search=contoso&limit=200`);
    const user = users.find((u) => u.phoneSystem && u.numbers.length === 0 && u.usageLocation && u.accountEnabled)!;
    expect(user, 'a user ready for voice').toBeDefined();
    // Numbers the demo brought in from its (simulated) Teams tenant are the ones Teams can assign.
    const { numbers } = await api<{ numbers: InventoryNumber[] }>(`/api/tenants/${tenantId}/numbers?search=reconcile&status=available&kind=direct_routing&limit=1`);
    assignedNumber = numbers[0]!;
    expect(assignedNumber, 'an available number Teams knows').toBeDefined();

    await tab('Voice').click();
    await page.waitForURL(`**/tenants/${tenantId}/voice`);
    await page.getByLabel('Find a user').fill(user.upn);
    await page.getByTestId('user-result').filter({ hasText: user.upn }).click();
    await page.getByRole('heading', { name: user.displayName }).waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Apply in Teams' }).isEnabled(), { timeout: 20_000 }).toBe(true);
    await page.getByLabel('Assign a number from the inventory').check();
    await page.getByLabel('Find a number in the inventory').fill(assignedNumber.e164.slice(1));
    await page.getByTestId('number-picker').getByRole('radio', { name: new RegExp(`\\${assignedNumber.e164}`) }).check();
    await page.getByLabel('Voice routing policy').selectOption('US-Domestic');
    // The demo tenant has ConnectWise: the ticket comes from its open tickets.
    await page.getByTestId('ticket-picker').getByRole('button', { name: /^#7002 / }).click();
    await page.getByRole('button', { name: 'Apply in Teams' }).click();
    await page.getByTestId('change-status').and(page.locator('[data-status="succeeded"]')).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('voice-current').textContent(), { timeout: 20_000 }).toContain(assignedNumber.e164);
    await shot('voice-panel');
  });

  it("number drawer with the number's history", async () => {
    await tab('Numbers').click();
    await page.waitForURL(`**/tenants/${tenantId}/numbers`);
    await page.getByRole('search', { name: 'Find numbers' }).getByLabel('Search').fill(assignedNumber.e164.slice(1));
    const row = page.getByTestId('number-row').filter({ hasText: assignedNumber.e164 });
    await row.getByRole('link', { name: new RegExp(`\\${assignedNumber.e164}`) }).click();
    const drawer = page.getByRole('dialog').filter({ has: page.getByRole('heading', { name: assignedNumber.e164 }) });
    await expect.poll(() => drawer.getByTestId('history-event').count(), { timeout: 20_000 }).toBeGreaterThan(1);
    expect(await drawer.textContent()).toContain('Ticket #7002');
    await shot('number-history');
    await page.keyboard.press('Escape');
  });

  it('bulk assignment dry run with its verdicts', async () => {
    const { users } = await api<{ users: TeamsUser[] }>(`/api/tenants/${tenantId}/teams/users?search=contoso&limit=200`);
    const ready = users.filter((u) => u.phoneSystem && u.numbers.length === 0 && u.usageLocation && u.accountEnabled);
    const unlicensed = users.find((u) => !u.phoneSystem)!;
    const { numbers } = await api<{ numbers: InventoryNumber[] }>(`/api/tenants/${tenantId}/numbers?search=reconcile&status=available&kind=direct_routing&limit=3`);
    const file = [
      'UserPrincipalName,PhoneNumber,PhoneNumberType,VoiceRoutingPolicy,DialPlan,Profile',
      `${ready[1]!.upn},${numbers[0]!.e164},DirectRouting,US-International,,`,
      `${ready[2]!.upn},${numbers[1]!.e164},DirectRouting,US-Domestic,,`,
      `${unlicensed.upn},${numbers[2]!.e164},DirectRouting,US-International,,`,
      'someone.new@contoso.example,+14255550199,DirectRouting,,,',
      '',
    ].join('\r\n');
    await tab('Bulk').click();
    await page.waitForURL(`**/tenants/${tenantId}/bulk`);
    await page.getByLabel('CSV file').setInputFiles({ name: 'new-starters.csv', mimeType: 'text/csv', buffer: Buffer.from(file) });
    await page.getByRole('heading', { name: 'Dry run' }).waitFor();
    expect(await page.getByTestId('bulk-ok').textContent()).toBe('2');
    expect(await page.getByTestId('bulk-errors').textContent()).toBe('2');
    await shot('bulk-dry-run');
  });

  it('audit log', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await page.getByTestId('audit-row').first().waitFor();
    await shot('audit-log');
  });

  it('settings', async () => {
    await page.goto(`${server.url}/admin/settings`);
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await page.getByText('Sign-in lockout').waitFor();
    await shot('settings');
  });
});
