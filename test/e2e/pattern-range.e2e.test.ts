/**
 * A range given as a pattern (+1 555 123 xxxx), through the browser: created without loading its
 * 10,000 numbers, its capacity, use and percent shown, and the next free number created on demand.
 * Writes the user guide's docs/images/pattern-range.png.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, ensureWebBuilt, guideScreenshot, launchBrowser, signInFirstAdmin, startServer, targets, type RunningServer } from './harness.ts';

const haveChromium = chromiumAvailable();

describe.skipIf(!haveChromium).each(targets())('pattern ranges in the browser ($name)', (target) => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startServer(target);
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  it('creates a range from a pattern, then hands out its first number, created on the spot', async () => {
    await signInFirstAdmin(page, server, 'Granite-Willow-Copper-5821');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' }).click();
    await page.getByRole('button', { name: 'Add tenant' }).click();
    const tenantForm = page.getByRole('dialog');
    await tenantForm.getByLabel('Name').fill('Northwind Traders');
    await tenantForm.getByLabel('Microsoft tenant id').fill('6c1f2a53-8d3e-4f9a-8b21-6e7d8c9f0a12');
    await tenantForm.getByLabel('Primary domain').fill('northwind.example');
    await tenantForm.getByLabel('Default country').fill('us');
    await tenantForm.getByLabel('Microsoft Teams').selectOption('off');
    await tenantForm.getByRole('button', { name: 'Create tenant' }).click();
    await page.waitForURL(/\/tenants\/[0-9a-f-]{36}$/);

    await page.getByRole('navigation', { name: 'Tenant sections' }).getByRole('link', { name: 'Ranges' }).click();
    await page.waitForURL('**/ranges');
    await page.getByRole('button', { name: 'Add range' }).click();
    const form = page.getByRole('dialog');
    await form.getByLabel('Name').fill('Portland DID block');
    await form.getByLabel('From a pattern').check();
    // A pattern whose x's are not at the end is explained next to its field, and nothing is made.
    await form.getByLabel('Pattern', { exact: true }).fill('+1 503 55x 0100');
    await form.getByRole('button', { name: 'Create range' }).click();
    const patternField = form.locator('input[name="pattern"]');
    await expect.poll(() => patternField.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await patternField.getAttribute('aria-describedby'))!.split(' ');
    const messages = await Promise.all(describedBy.map((id) => page.locator(`[id="${id}"]`).textContent()));
    expect(messages.join(' ')).toContain("the x's must all come at the end");
    await patternField.fill('+1 503 555 xxxx');
    await form.getByLabel('Carrier').fill('Acme Telecom');
    await form.getByRole('button', { name: 'Create range' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'created for the pattern +1503555xxxx: 10,000 numbers' })
      .waitFor()
      .catch(async (error: unknown) => {
        throw new Error(`${String(error)}\nThe dialog said: ${await form.textContent().catch(() => '(gone)')}`);
      });
    const row = page.getByTestId('range-row').filter({ hasText: 'Portland DID block' });
    expect(await row.textContent()).toContain('Pattern +1503555xxxx');
    expect(await row.getByTestId('range-capacity').textContent()).toBe('10,000 numbers · 0 used (0 %)');

    // The inventory holds none of them yet; the next free number is created as it is handed out.
    await page.getByRole('navigation', { name: 'Tenant sections' }).getByRole('link', { name: 'Numbers' }).click();
    await expect.poll(() => page.getByTestId('numbers-total').textContent()).toBe('0 numbers');
    await page.getByRole('button', { name: 'Next free number' }).click();
    const next = page.getByRole('dialog', { name: 'Next free number' });
    await next.getByLabel('Range').selectOption({ label: 'Portland DID block (10,000 available)' });
    await next.getByLabel('Reason').fill('New starter');
    await next.getByRole('button', { name: 'Reserve next free number' }).click();
    const got = next.getByTestId('allocated-number');
    await got.waitFor();
    expect(await got.textContent()).toContain('+15035550000');
    await next.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => page.getByTestId('numbers-total').textContent()).toBe('1 number');

    await page.getByRole('navigation', { name: 'Tenant sections' }).getByRole('link', { name: 'Ranges' }).click();
    await expect.poll(() => row.getByTestId('range-capacity').textContent()).toBe('10,000 numbers · 1 used (0 %)');
    await guideScreenshot(page, 'pattern-range');
  });
});
