/**
 * The global search and the Reports page (#19), through the browser on the `npm start` demo:
 * "/" jumps to the search box, a number typed the way a caller reads it out finds its tenant's
 * number, Enter opens it there; the Reports page shows each report with its chart and CSV link.
 * The pictures are the user guide's (UCR_UPDATE_SCREENSHOTS=1 writes them to docs/images).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, ensureWebBuilt, guideScreenshot, launchBrowser, signInFirstAdmin, startServer, type RunningServer } from './harness.ts';

const haveChromium = chromiumAvailable();

describe.skipIf(!haveChromium)('global search and reports (npm start demo)', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let tenantId: string;

  const api = async <T,>(path: string): Promise<T> => {
    const response = await page.request.get(`${server.url}${path}`);
    expect(response.status(), `GET ${path}`).toBe(200);
    return (await response.json()) as T;
  };

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startServer({ name: 'pglite' }, { entry: 'start' });
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => console.warn('page error:', e.message));
    await signInFirstAdmin(page, server, 'Juniper-Falcon-Cobalt-5530');
    const { tenants } = await api<{ tenants: Array<{ id: string; name: string }> }>('/api/tenants');
    tenantId = tenants.find((t) => t.name === 'Contoso (demo)')!.id;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('"/" opens the search, a number read out finds it, Enter opens it in its tenant', async () => {
    const { numbers } = await api<{ numbers: Array<{ id: string; e164: string; assignee: string | null }> }>(`/api/tenants/${tenantId}/numbers?status=assigned&limit=1`);
    const number = numbers[0]!;
    // "+1 425 555 0101" read out as "425 555 0101": the national part, with spaces.
    const national = number.e164.slice(-10);
    const spoken = `${national.slice(0, 3)} ${national.slice(3, 6)} ${national.slice(6)}`;

    const search = page.getByTestId('global-search');
    // "/" typed into another field stays a character there.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).waitFor();
    await page.locator('body').click({ position: { x: 600, y: 400 } });
    await page.keyboard.press('/');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('global-search');
    await page.keyboard.type(spoken);
    const hit = page.getByTestId('search-hit').and(page.locator('[data-kind="number"]')).filter({ hasText: number.e164 });
    await hit.waitFor();
    await expect.poll(() => hit.textContent()).toContain('Contoso (demo)');
    await guideScreenshot(page, 'global-search', { keepFocus: true });

    await search.press('Enter');
    await page.waitForURL(new RegExp(`/tenants/${tenantId}/numbers\\?.*number=${number.id}`));
    await page.getByRole('dialog').filter({ has: page.getByRole('heading', { name: number.e164 }) }).waitFor();
    expect(await search.inputValue()).toBe('');
  });

  it('"/" typed in a text field is a character there, not a jump', async () => {
    await page.goto(`${server.url}/audit`);
    const field = page.getByRole('textbox', { name: 'Target', exact: true });
    await field.click();
    await page.keyboard.type('a/b');
    expect(await field.inputValue()).toBe('a/b');
    expect(await page.getByTestId('global-search').inputValue()).toBe('');
  });

  it('the Reports page: utilisation with its bars, ranges running out, licensed users without a number, drift; each with its CSV', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
    await page.getByTestId('report-tenant').filter({ hasText: 'Contoso (demo)' }).waitFor();
    await page.getByTestId('report-drift-tenant').filter({ hasText: 'Contoso (demo)' }).waitFor();
    await page.getByTestId('report-licensed-tenant').filter({ hasText: 'Contoso (demo)' }).waitFor();
    expect(await page.getByTestId('csv-utilisation').getAttribute('href')).toBe('/api/reports/utilisation/export');
    await guideScreenshot(page, 'reports');

    // Limited to one tenant: the address carries it, and so does each CSV link.
    await page.getByLabel('Tenant', { exact: true }).selectOption({ label: 'Contoso (demo)' });
    await page.waitForURL(new RegExp(`/reports\\?tenantId=${tenantId}`));
    expect(await page.getByTestId('csv-teams-drift').getAttribute('href')).toBe(`/api/reports/teams-drift/export?tenantId=${tenantId}`);
    const csv = await page.request.get(`${server.url}/api/reports/utilisation/export?tenantId=${tenantId}`);
    expect(csv.status()).toBe(200);
    const text = await csv.text();
    expect(text.replace(/^\uFEFF/, '').split('\n')[0]).toMatch(/^level,tenant,range,/);
    expect(text).not.toMatch(/,\+1\d/); // numbers are written '+1…, never as a formula
  });
});
