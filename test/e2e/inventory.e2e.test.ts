/**
 * Tenants and the number inventory, through the browser: create a tenant (with a field error
 * first), a range, import a CSV with bad rows (nothing imported) and then fixed (imported),
 * search and filter, reserve a number and see its history, next free number, saved columns,
 * infinite scrolling over a larger range, and the spreadsheet-safe CSV export.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, ensureWebBuilt, guideScreenshot, launchBrowser, screenshot, signInFirstAdmin, startServer, targets, type RunningServer } from './harness.ts';

const haveChromium = chromiumAvailable();
const ADMIN_PASSWORD = 'Harbour-Quartz-Violet-7264';
const VIEWER = { email: 'vic.viewer@example.com', password: 'Lichen-Marble-Tundra-4418' };
const TENANT = { name: 'Fabrikam Ltd', microsoftTenantId: '3b1f6a52-7c2d-4e8f-9a10-5d6c7b8e9f01', domain: 'fabrikam.example' };

const header = 'Number,Kind,Status,Range,Tags,Notes,Assignee,Assignee Name';
const badCsv = [
  header,
  '+14155550150,direct_routing,available,,import;sf,Lobby phone,,',
  '+14155550151,direct_routing,assigned,,import,,alex@fabrikam.example,Alex Wilber',
  '+1415555,direct_routing,available,,,,,',
  '+14155550153,calling_plan,available,No such range,,,,',
  '',
].join('\n');
const fixedCsv = [
  header,
  '+14155550150,direct_routing,available,,import;sf,Lobby phone,,',
  '+14155550151,direct_routing,assigned,,import,,alex@fabrikam.example,Alex Wilber',
  '+14155550152,direct_routing,available,,,=SUM(A1:A2),,',
  // Outside "SF block" (+14155550100 – 0149): a number may only name a range it lies in.
  '+14155550153,calling_plan,available,,,,,',
  '',
].join('\n');

/** Splits one CSV line (quoted cells may hold commas and doubled quotes). */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (c === ',' && !quoted) {
      cells.push(cell);
      cell = '';
    } else {
      cell += c;
    }
  }
  cells.push(cell);
  return cells;
}

describe.skipIf(!haveChromium).each(targets())('tenants and number inventory in the browser ($name)', (target) => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let files: string;
  let tenantUrl: string;
  const shot = (name: string) => screenshot(page, `${target.name}-inventory-${name}`);
  const dialog = () => page.getByRole('dialog');
  const total = () => page.getByTestId('numbers-total');
  const rows = () => page.getByTestId('number-row');
  const searchBox = (): Locator => page.getByRole('search', { name: 'Find numbers' }).getByLabel('Search');

  beforeAll(async () => {
    ensureWebBuilt();
    files = await mkdtemp(join(tmpdir(), 'ucr-e2e-csv-'));
    await writeFile(join(files, 'numbers-bad.csv'), badCsv);
    await writeFile(join(files, 'numbers-fixed.csv'), fixedCsv);
    await writeFile(join(files, 'numbers-wrong.csv'), ['Number,Status', '+14155550170,available', '+14155550171,blocked', ''].join('\n'));
    server = await startServer(target, { env: { UCR_DEMO: 'true' } }); // the demo tenant is seeded on PostgreSQL only when asked
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
    if (files) await rm(files, { recursive: true, force: true });
  });

  it('signs in and lists the tenants, with the demo tenant clearly marked', async () => {
    await signInFirstAdmin(page, server, ADMIN_PASSWORD);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Tenants' }).click();
    await page.waitForURL('**/tenants');
    await page.getByRole('heading', { name: 'Tenants', level: 1 }).waitFor();
    const demo = page.getByTestId('tenant-row').filter({ hasText: 'Contoso (demo)' });
    await demo.waitFor();
    expect(await demo.getByTestId('demo-badge').textContent()).toBe('Demo');
    await shot('tenants');
  });

  it('creates a tenant: a bad Microsoft tenant id is explained next to its field, then fixed', async () => {
    await page.getByRole('button', { name: 'Add tenant' }).click();
    const form = dialog();
    await form.getByLabel('Name').fill(TENANT.name);
    await form.getByLabel('Microsoft tenant id').fill('not-a-guid');
    await form.getByLabel('Primary domain').fill(TENANT.domain);
    await form.getByLabel('Default country').fill('us');
    await form.getByLabel('Microsoft Teams').selectOption('off');
    await form.getByLabel('Cooling days').fill('7');
    await form.getByRole('button', { name: 'Create tenant' }).click();
    const idField = form.getByLabel('Microsoft tenant id');
    await expect.poll(() => idField.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await idField.getAttribute('aria-describedby'))!.split(' ');
    const messages = await Promise.all(describedBy.map((id) => page.locator(`[id="${id}"]`).textContent()));
    expect(messages.join(' ')).toContain('GUID');
    await form.getByRole('alert').waitFor();
    await shot('tenant-field-error');

    await idField.fill(TENANT.microsoftTenantId);
    await form.getByRole('button', { name: 'Create tenant' }).click();
    await page.waitForURL(/\/tenants\/[0-9a-f-]{36}$/);
    tenantUrl = page.url();
    await page.getByRole('heading', { name: TENANT.name, level: 1 }).waitFor();
    const details = page.getByRole('region', { name: 'Details' });
    await details.getByText(TENANT.microsoftTenantId).waitFor();
    // Teams is off for this tenant only; cooling days are its own.
    expect(await details.getByText('set for this tenant').count()).toBe(2);
    await shot('tenant-overview-empty');
  });

  it('creates a range of 50 numbers', async () => {
    await page.getByRole('navigation', { name: 'Tenant sections' }).getByRole('link', { name: 'Ranges' }).click();
    await page.waitForURL('**/ranges');
    await page.getByRole('button', { name: 'Add range' }).click();
    const form = dialog();
    await form.getByLabel('Name').fill('SF block');
    await form.getByLabel('First number').fill('+1 415 555 0100');
    await form.getByLabel('Count').fill('50');
    await form.getByLabel('Carrier').fill('Acme Telecom');
    await form.getByRole('button', { name: 'Create range' }).click();
    await page.getByRole('status').filter({ hasText: 'Range “SF block” created with 50 numbers' }).waitFor();
    const row = page.getByTestId('range-row').filter({ hasText: 'SF block' });
    expect(await row.textContent()).toContain('+14155550100 – +14155550149');
    expect(await row.textContent()).toContain('Available 50');
    await shot('ranges');
  });

  it('previews a CSV with bad rows: each problem is listed and nothing can be imported', async () => {
    await page.getByRole('navigation', { name: 'Tenant sections' }).getByRole('link', { name: 'Import' }).click();
    await page.waitForURL('**/import');
    await page.getByLabel('CSV file').setInputFiles(join(files, 'numbers-bad.csv'));
    await page.getByTestId('import-report').waitFor();
    expect(await page.getByTestId('import-problems').textContent()).toBe('2');
    expect(await page.getByTestId('import-ready-to-import').textContent()).toBe('2');
    const errors = page.getByTestId('import-error');
    expect(await errors.count()).toBe(2);
    expect(await errors.nth(0).textContent()).toBe('4number+1415555+1415555 is not a valid number for country code +1.');
    expect(await errors.nth(1).textContent()).toContain('There is no range named "No such range"');
    expect(await page.getByRole('alert').filter({ hasText: '2 problems in the file' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: /^Import \d/ }).count()).toBe(0);
    await shot('import-errors');

    // Nothing was imported: the tenant still holds just the range.
    await page.getByRole('navigation', { name: 'Tenant sections' }).getByRole('link', { name: 'Numbers' }).click();
    await expect.poll(() => total().textContent()).toBe('50 numbers');
  });

  it('imports the fixed file after a clean preview', async () => {
    await page.getByRole('navigation', { name: 'Tenant sections' }).getByRole('link', { name: 'Import' }).click();
    await page.getByLabel('CSV file').setInputFiles(join(files, 'numbers-fixed.csv'));
    await page.getByTestId('import-report').waitFor();
    expect(await page.getByTestId('import-problems').textContent()).toBe('0');
    expect(await page.getByTestId('import-sample-row').count()).toBe(4);
    await shot('import-preview-ok');
    await page.getByRole('button', { name: 'Import 4 numbers' }).click();
    const success = page.getByTestId('import-success');
    await success.waitFor();
    expect(await success.textContent()).toContain('Imported 4 numbers from numbers-fixed.csv');
    await shot('import-done');
  });

  it('searches as you type, filters by status, and opens a number', async () => {
    await page.getByRole('navigation', { name: 'Tenant sections' }).getByRole('link', { name: 'Numbers' }).click();
    await expect.poll(() => total().textContent()).toBe('54 numbers');
    await searchBox().fill('alex@');
    await expect.poll(() => total().textContent()).toBe('1 number match');
    expect(await rows().first().textContent()).toContain('+14155550151');
    expect(await rows().first().textContent()).toContain('Alex Wilber');
    expect(page.url()).toContain('search=alex');

    await searchBox().fill('555 015');
    await expect.poll(() => total().textContent()).toBe('4 numbers match');
    await page.getByRole('button', { name: 'Assigned', exact: true }).click();
    await expect.poll(() => total().textContent()).toBe('1 number match');
    await page.getByRole('button', { name: 'Assigned', exact: true }).click();
    await expect.poll(() => total().textContent()).toBe('4 numbers match');
    // National format under E.164, status in words.
    const row = rows().filter({ hasText: '+14155550152' });
    expect(await row.textContent()).toContain('(415) 555-0152');
    expect(await row.textContent()).toContain('Available');
    await shot('numbers-search');

    await row.getByRole('link', { name: /\+14155550152/ }).click();
    await page.waitForURL(/number=/);
    await dialog().getByRole('heading', { name: '+14155550152' }).waitFor();
    await shot('number-drawer');
  });

  it('reserves the number with a reason, date and ticket, and shows it in the history', async () => {
    const drawer = page.getByRole('dialog').filter({ has: page.getByRole('heading', { name: '+14155550152' }) });
    const actions = drawer.getByRole('group', { name: 'Change status' });
    expect(await actions.getByRole('button').allTextContents()).toEqual(['Reserve…', 'Assign…', 'Block', 'Retire']);
    await actions.getByRole('button', { name: 'Reserve…' }).click();
    const reserve = page.getByRole('dialog', { name: 'Reserve +14155550152' });
    await reserve.getByLabel('Reason').fill('New starter Jane Doe');
    await reserve.getByLabel('ConnectWise ticket (optional)').fill('123456');
    await shot('reserve-dialog');
    await reserve.getByRole('button', { name: 'Reserve', exact: true }).click();
    await drawer.getByRole('status').filter({ hasText: 'is now reserved' }).waitFor();
    expect(await actions.getByRole('button').allTextContents()).toEqual(['Assign…', 'Cancel reservation', 'Block']);
    expect(await drawer.textContent()).toContain('New starter Jane Doe');

    const events = drawer.getByTestId('history-event');
    await expect.poll(() => events.count()).toBe(2);
    const reserved = await events.nth(0).textContent();
    expect(reserved).toContain('Reserved');
    expect(reserved).toContain('Available→ to Reserved');
    expect(reserved).toContain('Ticket #123456');
    expect(reserved).toContain(server.adminEmail);
    expect(await events.nth(1).textContent()).toContain('Imported from numbers-fixed.csv');
    await shot('number-history');

    await page.keyboard.press('Escape');
    await expect.poll(() => page.url()).not.toContain('number=');
    // The table shows the new status without a reload.
    expect(await rows().filter({ hasText: '+14155550152' }).textContent()).toContain('Reserved');
  });

  it('shows the reason when a move is refused because someone else changed the number first', async () => {
    await rows().filter({ hasText: '+14155550150' }).getByRole('link').click();
    await page.waitForURL(/number=/);
    const numberId = new URL(page.url()).searchParams.get('number')!;
    const drawer = page.getByRole('dialog').filter({ has: page.getByRole('heading', { name: '+14155550150' }) });
    await drawer.getByRole('button', { name: 'Retire' }).waitFor();
    // Another operator reserves it meanwhile (through the API, with this browser's session).
    const session = await (await page.request.get(`${server.url}/api/auth/session`)).json();
    const until = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const other = await page.request.post(`${tenantUrl.replace('/tenants/', '/api/tenants/')}/numbers/${numberId}/lifecycle`, {
      headers: { 'x-csrf-token': session.csrfToken },
      data: { action: 'reserve', reason: 'Held by a colleague', until },
    });
    expect(other.status()).toBe(200);

    await drawer.getByRole('button', { name: 'Retire' }).click();
    const retire = page.getByRole('dialog', { name: 'Retire +14155550150' });
    await retire.getByRole('button', { name: 'Retire', exact: true }).click();
    const alert = retire.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('+14155550150: A number that is reserved cannot be retired.');
    await shot('illegal-move');
    await retire.getByRole('button', { name: 'Cancel' }).click();
    // The drawer, and the table row behind it, now show the number as it is.
    await drawer.getByRole('button', { name: 'Cancel reservation' }).waitFor();
    await expect.poll(() => rows().filter({ hasText: '+14155550150' }).textContent()).toContain('Reserved');
    await drawer.getByRole('button', { name: 'Cancel reservation' }).click();
    await page.getByRole('dialog', { name: 'Cancel reservation +14155550150' }).getByRole('button', { name: 'Cancel reservation' }).click();
    await drawer.getByRole('status').filter({ hasText: 'is now available' }).waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.url()).not.toContain('number=');
  });

  it('exports the filtered view as spreadsheet-safe CSV', async () => {
    const link = page.getByRole('link', { name: 'Export CSV' });
    expect(await link.getAttribute('href')).toContain('search=555+015');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const text = (await readFile((await download.path())!, 'utf8')).replace(/^\uFEFF/, '');
    const lines = text.trim().split(/\r?\n/);
    expect(lines).toHaveLength(5);
    const head = csvCells(lines[0]!);
    expect(head[0]).toBe('number');
    for (const column of ['status', 'notes', 'assignee', 'reservation_reason']) expect(head).toContain(column);
    const body = lines.slice(1).map(csvCells);
    expect(body.map((r) => r[0])).toEqual(["'+14155550150", "'+14155550151", "'+14155550152", "'+14155550153"]);
    const reserved = body[2]!;
    expect(reserved[head.indexOf('status')]).toBe('reserved');
    expect(body.every((r) => r.length === head.length)).toBe(true);
    expect(reserved[head.indexOf('notes')]).toBe("'=SUM(A1:A2)");
    expect(reserved[head.indexOf('reservation_reason')]).toBe('New starter Jane Doe');
    expect(body[1]![head.indexOf('assignee')]).toBe('alex@fabrikam.example');
  });

  it('reserves the next free number of a range and says which one', async () => {
    await searchBox().fill('');
    await expect.poll(() => total().textContent()).toBe('54 numbers');
    await page.getByRole('button', { name: 'Next free number' }).click();
    const form = page.getByRole('dialog', { name: 'Next free number' });
    await form.getByLabel('Range').selectOption({ label: 'SF block (50 available)' });
    await form.getByLabel('Reason').fill('Conference room');
    await form.getByRole('button', { name: 'Reserve next free number' }).click();
    const got = form.getByTestId('allocated-number');
    await got.waitFor();
    expect(await got.textContent()).toContain('+14155550100');
    await shot('next-free');
    await form.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'Reserved', exact: true }).click();
    await expect.poll(() => total().textContent()).toBe('2 numbers match');
    await page.getByRole('button', { name: 'Reserved', exact: true }).click();
  });

  it('saves the chosen columns and their order for the next visit', async () => {
    const header = page.getByTestId('numbers-table').locator('thead');
    const headings = async () => (await header.locator('th').allTextContents()).map((h) => h.replace(/[▲▼↕]/g, '').trim()).filter(Boolean);
    expect(await header.textContent()).not.toContain('Carrier');
    const menu = page.getByTestId('column-arrangement');
    await menu.locator('summary').click();
    await menu.getByLabel('Carrier', { exact: true }).check();
    await page.getByText('Columns saved').waitFor();
    // Hide a column and move another up with the keyboard-reachable buttons.
    await menu.getByLabel('Kind', { exact: true }).uncheck();
    await page.getByText('Columns saved').waitFor();
    await menu.getByRole('button', { name: 'Move Site up' }).click();
    await menu.getByRole('button', { name: 'Move Site up' }).click();
    await page.getByText('Columns saved').waitFor();
    // The focus stays on the moved column's button, so it can be moved again from the keyboard.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Move Site up');
    if (target.name === 'pglite') await guideScreenshot(page, 'column-arrangement', { keepFocus: true });
    await page.reload();
    await header.getByText('Carrier', { exact: true }).waitFor();
    expect(await headings()).toEqual(['Number', 'Status', 'Used by', 'Site', 'Assignee', 'Range', 'Tags', 'Updated', 'Carrier']);
    expect(await rows().first().textContent()).toContain('Acme Telecom');
    // Back to the default: the server forgets the arrangement.
    await menu.locator('summary').click();
    await menu.getByRole('button', { name: 'Reset to default' }).click();
    await page.getByText('Default columns back').waitFor();
    await page.reload();
    await header.getByText('Kind', { exact: true }).waitFor();
    expect(await headings()).toEqual(['Number', 'Status', 'Kind', 'Used by', 'Assignee', 'Range', 'Site', 'Tags', 'Updated']);
  });

  it('loads a large range page by page while scrolling, sorted either way', async () => {
    await page.goto(`${tenantUrl}/ranges`);
    await page.getByRole('button', { name: 'Add range' }).click();
    const form = dialog();
    await form.getByLabel('Name').fill('SF overflow');
    await form.getByLabel('First number').fill('+14155551000');
    await form.getByLabel('Count').fill('2000');
    await form.getByRole('button', { name: 'Create range' }).click();
    await page.getByRole('status').filter({ hasText: 'created with 2,000 numbers' }).waitFor();
    await page.getByRole('link', { name: 'Numbers in SF overflow' }).click();
    await expect.poll(() => total().textContent()).toBe('2,000 numbers match');
    // Only the rows in view are in the page.
    expect(await rows().count()).toBeLessThan(80);
    const scroller = page.getByTestId('numbers-scroll');
    // Each scroll to the bottom brings the next page (keyset paging) until the last number.
    const deadline = Date.now() + 60_000;
    let last = '';
    while (!last.includes('+14155552999') && Date.now() < deadline) {
      await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
      await page.waitForTimeout(200);
      last = (await rows().last().textContent()) ?? '';
    }
    expect(last).toContain('+14155552999');
    expect(await page.getByTestId('numbers-table').getAttribute('aria-rowcount')).toBe('2001');
    await shot('numbers-scrolled');

    await page.getByRole('button', { name: /^Sort by number/ }).click();
    await expect.poll(() => rows().first().textContent(), { timeout: 10_000 }).toContain('+14155552999');
    expect(page.url()).toContain('dir=desc');
  });

  it('shows utilisation per tenant and per range', async () => {
    await page.goto(tenantUrl);
    const chart = page.getByRole('img', { name: /Numbers by status/ });
    await chart.waitFor();
    const desc = await page.getByTestId('status-chart').locator('desc').textContent();
    expect(desc).toContain('Available: 2,051');
    expect(desc).toContain('Reserved: 2');
    expect(desc).toContain('Assigned: 1');
    expect(await page.getByRole('meter', { name: 'SF block: 2% in use' }).count()).toBe(1);
    await shot('tenant-overview');
  });

  it('gives a viewer the inventory to read, without the actions', async () => {
    // The admin creates the viewer through the API with the browser's session (cookie + CSRF token).
    const session = await (await page.request.get(`${server.url}/api/auth/session`)).json();
    const created = await page.request.post(`${server.url}/api/operators`, {
      headers: { 'x-csrf-token': session.csrfToken },
      data: { email: VIEWER.email, displayName: 'Vic Viewer', role: 'viewer', allTenants: true, tenantIds: [] },
    });
    expect(created.status()).toBe(201);
    const { temporaryPassword } = await created.json();

    const viewerContext = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const viewer = await viewerContext.newPage();
    viewer.setDefaultTimeout(15_000);
    try {
      await viewer.goto(`${server.url}/sign-in`);
      await viewer.getByLabel('Email').fill(VIEWER.email);
      await viewer.getByLabel('Password').fill(temporaryPassword);
      await viewer.getByRole('button', { name: 'Sign in' }).click();
      await viewer.waitForURL('**/setup/password');
      await viewer.getByLabel('Current password').fill(temporaryPassword);
      await viewer.getByLabel('New password', { exact: true }).fill(VIEWER.password);
      await viewer.getByLabel('Repeat new password').fill(VIEWER.password);
      await viewer.getByRole('button', { name: 'Save new password' }).click();
      await viewer.waitForURL(`${server.url}/`);

      await viewer.goto(`${server.url}/tenants`);
      await viewer.getByTestId('tenant-row').filter({ hasText: TENANT.name }).waitFor();
      expect(await viewer.getByRole('button', { name: 'Add tenant' }).count()).toBe(0);
      expect(await viewer.getByRole('button', { name: `Edit ${TENANT.name}` }).count()).toBe(0);

      await viewer.goto(`${tenantUrl}/numbers?search=5550152`);
      await expect.poll(() => viewer.getByTestId('numbers-total').textContent()).toBe('1 number match');
      for (const action of ['Next free number', 'Add number']) expect(await viewer.getByRole('button', { name: action }).count()).toBe(0);
      // No tick boxes for bulk work: a viewer cannot change numbers.
      expect(await viewer.getByLabel('Choose all loaded rows').count()).toBe(0);
      expect(await viewer.getByRole('link', { name: 'Export CSV' }).count()).toBe(1);
      await viewer.getByRole('link', { name: /\+14155550152/ }).click();
      const drawer = viewer.getByRole('dialog');
      await drawer.getByTestId('history-event').first().waitFor();
      expect(await drawer.getByRole('group', { name: 'Change status' }).count()).toBe(0);
      expect(await drawer.getByRole('button', { name: 'Edit details' }).count()).toBe(0);
      await screenshot(viewer, `${target.name}-inventory-viewer-drawer`);
    } finally {
      await viewerContext.close();
    }
  });

  it('bulk work: a chosen number that refuses the change stops it with its reason; without it the change applies', async () => {
    await page.goto(`${tenantUrl}/numbers?search=555015`);
    await expect.poll(() => total().textContent()).toBe('4 numbers match');
    await page.getByLabel('Choose all loaded rows').check();
    const bar = page.getByTestId('bulk-bar');
    expect(await bar.textContent()).toContain('4 chosen');
    await bar.getByRole('button', { name: 'Change…' }).click();
    let form = page.getByRole('dialog', { name: 'Change numbers' });
    await form.getByLabel('Status').selectOption({ label: 'Block' });
    await form.getByLabel('Add tags').fill('audit-2026');
    await form.getByRole('button', { name: 'Preview' }).click();
    const refusals = form.getByTestId('bulk-refusals');
    await refusals.waitFor();
    expect(await refusals.textContent()).toContain('+14155550151: A number that is assigned cannot be blocked. Release it from its user first.');
    expect(await form.getByTestId('bulk-preview').textContent()).toContain('3 to change of 4 selected; 1 refuse');
    expect(await form.getByRole('button', { name: /^Apply to/ }).isDisabled()).toBe(true);
    await guideScreenshot(page, 'inventory-bulk-refused');
    await form.getByRole('button', { name: 'Cancel' }).click();

    await page.getByLabel('Choose +14155550151').uncheck();
    expect(await bar.textContent()).toContain('3 chosen');
    await bar.getByRole('button', { name: 'Change…' }).click();
    form = page.getByRole('dialog', { name: 'Change numbers' });
    await form.getByLabel('Status').selectOption({ label: 'Block' });
    await form.getByLabel('Add tags').fill('audit-2026');
    await form.getByRole('button', { name: 'Preview' }).click();
    const preview = form.getByTestId('bulk-preview');
    await preview.waitFor();
    expect(await preview.textContent()).toContain('3 to change of 3 selected');
    expect(await preview.textContent()).toContain('Blocked');
    await guideScreenshot(page, 'inventory-bulk-preview');
    await form.getByRole('button', { name: 'Apply to 3 numbers' }).click();
    await page.getByRole('status').filter({ hasText: 'Changed 3 numbers.' }).waitFor();
    await page.goto(`${tenantUrl}/numbers?tag=audit-2026&status=blocked`);
    await expect.poll(() => total().textContent()).toBe('3 numbers match');
  });

  it('bulk work on all numbers matching the filter, across pages', async () => {
    await page.goto(`${tenantUrl}/ranges`);
    await page.getByRole('link', { name: 'Numbers in SF overflow' }).click();
    await expect.poll(() => total().textContent()).toBe('2,000 numbers match');
    await page.getByLabel('Choose all loaded rows').check();
    const bar = page.getByTestId('bulk-bar');
    await bar.getByRole('button', { name: 'Choose all 2,000 matching this filter' }).click();
    expect(await bar.textContent()).toContain('2,000 chosen (all matching this filter, on every page)');
    await bar.getByRole('button', { name: 'Change…' }).click();
    const form = page.getByRole('dialog', { name: 'Change numbers' });
    await form.getByLabel('Kind').selectOption({ label: 'Calling Plan' });
    await form.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => form.getByTestId('bulk-preview').textContent()).toContain('2,000 to change of 2,000 selected');
    await form.getByRole('button', { name: 'Apply to 2,000 numbers' }).click();
    await page.getByRole('status').filter({ hasText: 'Changed 2,000 numbers.' }).waitFor({ timeout: 60_000 });
    await page.getByRole('search', { name: 'Find numbers' }).getByLabel('Kind').selectOption({ label: 'Calling Plan' });
    // The 2,000 of the overflow range, and none other changed kind.
    await expect.poll(() => total().textContent()).toBe('2,000 numbers match');
  });

  it('undoes a wrong import by deleting its numbers', async () => {
    await page.getByRole('navigation', { name: 'Tenant sections' }).getByRole('link', { name: 'Import' }).click();
    await page.getByLabel('CSV file').setInputFiles(join(files, 'numbers-wrong.csv'));
    await page.getByTestId('import-report').waitFor();
    await page.getByRole('button', { name: 'Import 2 numbers' }).click();
    await page.getByTestId('import-success').waitFor();
    await page.getByRole('link', { name: 'Review or delete the numbers of this import' }).click();
    await expect.poll(() => total().textContent()).toBe('2 numbers match');
    await page.getByLabel('Choose all loaded rows').check();
    await page.getByTestId('bulk-bar').getByRole('button', { name: 'Delete…' }).click();
    const form = page.getByRole('dialog', { name: 'Delete numbers' });
    await form.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => form.getByTestId('bulk-preview').textContent()).toContain('2 to delete of 2 selected');
    await guideScreenshot(page, 'inventory-delete-import');
    await form.getByRole('button', { name: 'Delete 2 numbers' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted 2 numbers.' }).waitFor();
    await expect.poll(() => total().textContent()).toBe('0 numbers match');
  });
});
