/**
 * Bulk assignment end to end (SPEC D5) on the demo exactly as `npm start` runs it: scripts/start.ts
 * with the built-in Teams (Graph) simulator in the same process.
 *
 * The first admin uploads a CSV with good and bad rows; the dry run shows each row's verdict
 * (unknown user, number not in the inventory) before anything runs. The job runs with a live
 * progress bar; one row fails in Teams (a London Operator Connect block number of the inventory
 * that the operator never provisioned to the tenant; a Direct Routing number would not fail, as
 * assigning one uploads it). The results CSV has every row and its outcome, spreadsheet-safe. The
 * number is then provisioned to the simulated Teams tenant and "Retry failed rows" succeeds,
 * leaving the rows that had succeeded alone.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { chromiumAvailable, demoSimulators, ensureWebBuilt, launchBrowser, screensDir, screenshot, signInFirstAdmin, startServer, targets, type RunningServer } from './harness.ts';

const haveChromium = chromiumAvailable();
const ADMIN_PASSWORD = 'Lantern-Basalt-Orchard-5523';
const DEMO_TENANT_ID = '6f1d3c2a-8b4e-4c1f-9a7d-0c5e2b9f4a11';

type TeamsUser = { userId: string; upn: string; displayName: string; accountEnabled: boolean; usageLocation: string | null; phoneSystem: boolean; numbers: unknown[] };
type InventoryNumber = { id: string; e164: string; status: string; kind: string };

/** The simulated Teams tenant's own view of its numbers (Graph, as the app's registration sees it). */
async function teamsNumbers(entraUrl: string, graphUrl: string): Promise<Array<{ telephoneNumber: string; numberType: string; assignmentStatus: string }>> {
  const token = await fetch(`${entraUrl}/${DEMO_TENANT_ID}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ client_id: 'demo-client', client_secret: 'demo-secret', grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' }),
  }).then(async (r) => ((await r.json()) as { access_token: string }).access_token);
  const all: Array<{ telephoneNumber: string; numberType: string; assignmentStatus: string }> = [];
  // numberAssignments pages with $top (at most 1,000) and $skip, without @odata.nextLink (Graph v1.0 "List numberAssignments").
  for (let skip = 0; ; skip += 1000) {
    const page = (await fetch(`${graphUrl}/v1.0/admin/teams/telephoneNumberManagement/numberAssignments?$top=1000&$skip=${skip}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json())) as { value: typeof all };
    all.push(...page.value);
    if (page.value.length < 1000) break;
  }
  return all;
}

/** A minimal CSV reader for the results file (quoted cells, no embedded newlines). */
function parseCsv(text: string): string[][] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter(Boolean)
    .map((line) => {
      const cells: string[] = [];
      let cell = '';
      let quoted = false;
      for (let i = 0; i < line.length; i += 1) {
        const c = line[i]!;
        if (quoted) {
          if (c === '"' && line[i + 1] === '"') {
            cell += '"';
            i += 1;
          } else if (c === '"') quoted = false;
          else cell += c;
        } else if (c === '"') quoted = true;
        else if (c === ',') {
          cells.push(cell);
          cell = '';
        } else cell += c;
      }
      cells.push(cell);
      return cells;
    });
}

describe.skipIf(!haveChromium).each(targets())('bulk assignment in the browser on the npm start demo ($name)', (target) => {
  let server: RunningServer;
  let sims: { entra: string; graph: string };
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let tenantId: string;
  const csv: { good: Array<{ upn: string; e164: string }>; teamsUnknown: { upn: string; e164: string }; unknownUser: string; notInInventory: { upn: string; e164: string } } = {
    good: [],
    teamsUnknown: { upn: '', e164: '' },
    unknownUser: 'nobody.here@contoso.example',
    notInInventory: { upn: '', e164: '' },
  };
  const shot = (name: string) => screenshot(page, `${target.name}-bulk-${name}`);
  const api = async <T,>(path: string): Promise<T> => {
    const response = await page.request.get(`${server.url}${path}`);
    expect(response.status(), `GET ${path}`).toBe(200);
    return (await response.json()) as T;
  };
  const inventoryNumber = async (e164: string) => (await api<{ numbers: InventoryNumber[] }>(`/api/tenants/${tenantId}/numbers?search=${encodeURIComponent(e164.slice(1))}&limit=5`)).numbers.find((n) => n.e164 === e164);
  const row = (line: number) => page.getByTestId('bulk-row').filter({ has: page.locator('td').first().getByText(String(line), { exact: true }) });

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startServer(target, { entry: 'start' });
    sims = demoSimulators(server);
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => console.warn('page error:', e.message));
  });

  beforeEach((ctx) => {
    onTestFailed(async () => {
      const name = ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40);
      if (page) await screenshot(page, `${target.name}-bulk-FAILED-${name}`).catch(() => undefined);
    });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    if (server) writeFileSync(join(screensDir, `${target.name}-bulk-server.log`), server.output());
    await server?.stop();
  });

  it('opens the Bulk tab of the demo tenant', async () => {
    await signInFirstAdmin(page, server, ADMIN_PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' }).click();
    await page.getByRole('link', { name: 'Contoso (demo)' }).click();
    await page.waitForURL(/\/tenants\/[0-9a-f-]{36}$/);
    tenantId = /\/tenants\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    const tabs = page.getByRole('navigation', { name: 'Tenant sections' });
    // The Teams tabs appear once the tenant's features have loaded; wait for them before reading the order.
    await tabs.getByRole('link', { name: 'Bulk' }).waitFor();
    // The tab sits next to Voice.
    const labels = await tabs.getByRole('link').allTextContents();
    expect(labels.indexOf('Bulk')).toBe(labels.indexOf('Voice') + 1);
    await tabs.getByRole('link', { name: 'Bulk' }).click();
    await page.waitForURL(`**/tenants/${tenantId}/bulk`);
    await page.getByRole('heading', { name: 'Bulk assignment' }).waitFor();

    // The template the page links to has the columns bulk assignment reads.
    const template = await page.request.get(`${server.url}/api/tenants/${tenantId}/bulk-assignments/template.csv`);
    expect((await template.text()).split(/\r?\n/)[0]).toBe('UserPrincipalName,PhoneNumber,PhoneNumberType,VoiceRoutingPolicy,DialPlan,Profile');
    await shot('1-empty');
  });

  it('uploads a CSV with good and bad rows: the dry run gives each row a verdict and runs nothing', async () => {
    const { users } = await api<{ users: TeamsUser[] }>(`/api/tenants/${tenantId}/teams/users?search=contoso&limit=200`);
    const ready = users.filter((u) => u.phoneSystem && u.numbers.length === 0 && u.usageLocation && u.accountEnabled);
    expect(ready.length).toBeGreaterThan(3);

    // Free Direct Routing numbers Teams knows and the inventory has available.
    const inTeams = await teamsNumbers(sims.entra, sims.graph);
    const known = new Set(inTeams.map((n) => n.telephoneNumber));
    const free: string[] = [];
    for (const n of inTeams.filter((x) => x.numberType === 'directRouting' && x.assignmentStatus === 'unassigned')) {
      if ((await inventoryNumber(n.telephoneNumber))?.status === 'available') free.push(n.telephoneNumber);
      if (free.length === 2) break;
    }
    expect(free).toHaveLength(2);
    // A London OC block number: available in the inventory, not provisioned to the tenant.
    let teamsUnknown: string | undefined;
    for (let i = 50; i < 100 && !teamsUnknown; i += 1) {
      const e164 = `+4420794601${i}`;
      if (!known.has(e164) && (await inventoryNumber(e164))?.status === 'available') teamsUnknown = e164;
    }
    expect(teamsUnknown, 'a London OC block number Teams does not have').toBeDefined();
    const notInInventory = '+14155559876';
    expect(await inventoryNumber(notInInventory)).toBeUndefined();

    csv.good = [
      { upn: ready[0]!.upn, e164: free[0]! },
      { upn: ready[1]!.upn, e164: free[1]! },
    ];
    csv.teamsUnknown = { upn: ready[2]!.upn, e164: teamsUnknown! };
    csv.notInInventory = { upn: ready[3]!.upn, e164: notInInventory };
    const file = [
      'UserPrincipalName,PhoneNumber,PhoneNumberType,VoiceRoutingPolicy,DialPlan,Profile',
      `${csv.good[0]!.upn},${csv.good[0]!.e164},DirectRouting,US-International,US-Redmond,`, // line 2
      `${csv.unknownUser},+14255550199,DirectRouting,,,`, // line 3
      `${csv.good[1]!.upn},${csv.good[1]!.e164},DirectRouting,US-Domestic,,`, // line 4
      `${csv.notInInventory.upn},${notInInventory},DirectRouting,,,`, // line 5
      `${csv.teamsUnknown.upn},${csv.teamsUnknown.e164},OperatorConnect,,,`, // line 6
      '',
    ].join('\r\n');

    // The demo tenant has ConnectWise: the job's ticket is picked from its open tickets.
    await page.getByLabel('Find a ConnectWise ticket (optional)').fill('7003');
    await page.getByTestId('ticket-picker').getByRole('button', { name: /^#7003 / }).click();
    await page.getByTestId('chosen-ticket').filter({ hasText: 'Leaver: remove Teams number' }).waitFor();
    await page.getByLabel('CSV file').setInputFiles({ name: 'new-starters.csv', mimeType: 'text/csv', buffer: Buffer.from(file) });
    await page.waitForURL(/\/bulk\?job=[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Dry run' }).waitFor();

    expect(await page.getByTestId('bulk-rows').textContent()).toBe('5');
    expect(await page.getByTestId('bulk-ok').textContent()).toBe('3');
    expect(await page.getByTestId('bulk-errors').textContent()).toBe('2');
    expect(await page.getByRole('alert').filter({ hasText: 'did not pass the dry run' }).textContent()).toContain('2 rows did not pass the dry run');
    expect(await row(3).textContent()).toContain(`No user ${csv.unknownUser} in Contoso`);
    expect(await row(5).textContent()).toContain(`${notInInventory} is not in Contoso`);
    expect(await row(6).getAttribute('data-verdict')).toBe('ok');
    // Nothing has run: no progress bar yet, and the numbers are still available.
    expect(await page.getByRole('progressbar').count()).toBe(0);
    expect((await inventoryNumber(csv.good[0]!.e164))?.status).toBe('available');
    await shot('2-dry-run');

    // The verdict filters.
    await page.getByRole('group', { name: 'Show rows' }).getByRole('button', { name: /^Errors/ }).click();
    await expect.poll(() => page.getByTestId('bulk-row').count()).toBe(2);
    await shot('3-dry-run-errors');
    await page.getByRole('group', { name: 'Show rows' }).getByRole('button', { name: /^OK/ }).click();
    await expect.poll(() => page.getByTestId('bulk-row').count()).toBe(3);
    await page.getByRole('group', { name: 'Show rows' }).getByRole('button', { name: /^All/ }).click();
    await expect.poll(() => page.getByTestId('bulk-row').count()).toBe(5);
  });

  it('runs the rows that passed with live progress: two succeed, the number Teams does not know fails in words', async () => {
    // Teams takes a moment per change, so the job is seen running; and Graph throttles the first
    // number order for a few seconds (429 + Retry-After), which the page shows while the job waits.
    const knobs = (body: object) => fetch(`${sims.graph}/_sim/knobs`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await knobs({ operationDelayMs: 2500, faultMatch: 'assignNumber', failNext: { count: 1, status: 429 }, retryAfterSeconds: 5 });
    await page.getByRole('button', { name: 'Run 3 rows' }).click();
    const bar = page.getByRole('progressbar', { name: 'Bulk job progress' });
    await bar.waitFor();
    await page.getByRole('button', { name: 'Cancel job' }).waitFor();
    const throttled = page.getByTestId('bulk-throttled');
    await throttled.waitFor();
    expect(await throttled.textContent()).toMatch(/Throttled by Teams, resuming at \d{1,2}:\d{2}/);
    await shot('4-throttled');
    await throttled.waitFor({ state: 'detached', timeout: 30_000 });
    await knobs({ faultMatch: null, retryAfterSeconds: null });
    await page.getByTestId('bulk-row').and(page.locator('[data-state="running"]')).first().waitFor();
    await page.getByTestId('bulk-progress').filter({ hasText: 'Running' }).waitFor();
    await shot('4-running');

    await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 60_000, interval: 500 }).toBe('100');
    await page.getByTestId('bulk-progress').filter({ hasText: 'Completed' }).waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('count-succeeded').textContent()).toBe('2');
    expect(await page.getByTestId('count-failed').textContent()).toBe('1');
    expect(await page.getByTestId('count-skipped').textContent()).toBe('2');
    expect(await row(2).getAttribute('data-state')).toBe('succeeded');
    expect(await row(4).getAttribute('data-state')).toBe('succeeded');
    expect(await row(6).getAttribute('data-state')).toBe('failed');
    expect(await row(6).textContent()).toContain('Teams does not have this number');
    expect(await row(3).getAttribute('data-state')).toBe('skipped');
    expect((await inventoryNumber(csv.good[0]!.e164))?.status).toBe('assigned');
    // The failed row's number went back to the inventory.
    expect((await inventoryNumber(csv.teamsUnknown.e164))?.status).toBe('available');
    await page.getByRole('button', { name: 'Retry failed rows (1)' }).waitFor();
    await shot('5-completed-with-failure');

    await page.getByRole('group', { name: 'Show rows' }).getByRole('button', { name: /^Failed or cancelled/ }).click();
    await expect.poll(() => page.getByTestId('bulk-row').count()).toBe(1);
    await page.getByRole('group', { name: 'Show rows' }).getByRole('button', { name: /^All/ }).click();
  });

  it('downloads the results: every row with its outcome, numbers made spreadsheet-safe', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download results' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^bulk-results-[0-9a-f]{8}\.csv$/);
    const rows = parseCsv(readFileSync((await download.path())!, 'utf8'));
    expect(rows[0]).toEqual(['line', 'UserPrincipalName', 'PhoneNumber', 'result', 'message']);
    expect(rows).toHaveLength(6);
    const byLine = new Map(rows.slice(1).map((r) => [r[0], r]));
    expect(byLine.get('2')).toEqual(['2', csv.good[0]!.upn, `'${csv.good[0]!.e164}`, 'succeeded', expect.any(String)]);
    expect(byLine.get('3')!.slice(1, 4)).toEqual([csv.unknownUser, "'+14255550199", 'not run (dry-run error)']);
    expect(byLine.get('3')![4]).toContain('No user');
    expect(byLine.get('4')!.slice(1, 4)).toEqual([csv.good[1]!.upn, `'${csv.good[1]!.e164}`, 'succeeded']);
    expect(byLine.get('5')!.slice(3)).toEqual(['not run (dry-run error)', expect.stringContaining('is not in Contoso')]);
    expect(byLine.get('6')!.slice(1, 4)).toEqual([csv.teamsUnknown.upn, `'${csv.teamsUnknown.e164}`, 'failed']);
    expect(byLine.get('6')![4]).toContain('Teams does not have this number');
  });

  it('after the operator provisions the number to Teams, retrying the failed row succeeds and leaves the others alone', async () => {
    const uploaded = await fetch(`${sims.graph}/_sim/tenants/${DEMO_TENANT_ID}/numbers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ telephoneNumber: csv.teamsUnknown.e164, numberType: 'operatorConnect', city: 'London' }),
    });
    expect(uploaded.status).toBe(201);

    await page.getByRole('button', { name: 'Retry failed rows (1)' }).click();
    const bar = page.getByRole('progressbar', { name: 'Bulk job progress' });
    await page.getByRole('button', { name: 'Cancel job' }).waitFor();
    await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 60_000, interval: 500 }).toBe('100');
    await page.getByTestId('bulk-progress').filter({ hasText: 'Completed' }).waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('count-succeeded').textContent()).toBe('3');
    expect(await page.getByTestId('count-failed').textContent()).toBe('0');
    expect(await row(6).getAttribute('data-state')).toBe('succeeded');
    expect(await row(6).textContent()).toContain('attempt 2');
    // Succeeded rows ran once.
    expect(await row(2).textContent()).not.toContain('attempt 2');
    await page.getByRole('status').filter({ hasText: 'Finished: 3 rows succeeded.' }).waitFor();
    expect(await page.getByRole('button', { name: /Retry failed rows/ }).count()).toBe(0);
    expect((await inventoryNumber(csv.teamsUnknown.e164))?.status).toBe('assigned');
    await shot('6-retried');

    // The job survives a reload (its id is in the address).
    await page.reload();
    await page.getByTestId('bulk-progress').filter({ hasText: 'Completed' }).waitFor();
    expect(await page.getByTestId('count-succeeded').textContent()).toBe('3');
  });
});
