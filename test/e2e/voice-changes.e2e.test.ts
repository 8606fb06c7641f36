/**
 * Issue #17 items 4 and 5 in the browser, on the demo as `npm start` runs it (the simulated Teams
 * in the same process): the tenant's Voice changes page filtered from its address, a revert from
 * the list, a revert refused because the old number was taken (shown as a conflict), a revert
 * from the audit log, and the number drawer's "Reset the user's policies" and "Remove from the
 * user", each followed until Teams confirms and then reverted.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, demoSimulators, ensureWebBuilt, guideScreenshot, launchBrowser, type RunningServer, screensDir, screenshot, screenshotOnFailure, signInFirstAdmin, startServer, targets } from './harness.ts';

const haveChromium = chromiumAvailable();
const DEMO_TENANT_ID = '6f1d3c2a-8b4e-4c1f-9a7d-0c5e2b9f4a11';

type TeamsUser = { userId: string; upn: string; phoneSystem: boolean; numbers: unknown[]; usageLocation: string | null; accountEnabled: boolean };
type InventoryNumber = { id: string; e164: string; status: string; assignee: { id: string } | null };
type Change = { id: string; status: string; kind: string; revertOf: string | null; userId: string };

async function freeTeamsNumbers(entraUrl: string, graphUrl: string): Promise<string[]> {
  const token = await fetch(`${entraUrl}/${DEMO_TENANT_ID}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ client_id: 'demo-client', client_secret: 'demo-secret', grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' }),
  }).then(async (r) => ((await r.json()) as { access_token: string }).access_token);
  const free: string[] = [];
  // numberAssignments pages with $top (at most 1,000) and $skip (Graph v1.0 "List numberAssignments").
  for (let skip = 0; ; skip += 1000) {
    const page = (await fetch(`${graphUrl}/v1.0/admin/teams/telephoneNumberManagement/numberAssignments?$top=1000&$skip=${skip}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json())) as {
      value: Array<{ telephoneNumber: string; numberType: string; assignmentStatus: string }>;
    };
    free.push(...page.value.filter((n) => n.numberType === 'directRouting' && n.assignmentStatus === 'unassigned').map((n) => n.telephoneNumber));
    if (page.value.length < 1000) break;
  }
  return free;
}

describe.skipIf(!haveChromium).each(targets())('Voice changes and the number drawer in the browser ($name)', (target) => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let tenantId: string;
  let csrf: string;
  let users: TeamsUser[];
  let numbers: InventoryNumber[];
  const changes: Record<string, Change> = {};

  const get = async <T,>(path: string): Promise<T> => {
    const response = await page.request.get(`${server.url}${path}`);
    expect(response.status(), `GET ${path}`).toBe(200);
    return (await response.json()) as T;
  };
  const post = async <T,>(path: string, data: object): Promise<{ status: number; body: T }> => {
    const response = await page.request.post(`${server.url}${path}`, { headers: { 'x-csrf-token': csrf }, data });
    return { status: response.status(), body: (await response.json()) as T };
  };
  const settled = async (changeId: string): Promise<Change> => {
    for (let i = 0; i < 200; i++) {
      const change = await get<Change>(`/api/tenants/${tenantId}/voice-changes/${changeId}`);
      if (change.status !== 'pending') return change;
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error('change still pending');
  };
  const voice = async (user: TeamsUser, body: object) => {
    const started = await post<Change>(`/api/tenants/${tenantId}/teams/users/${user.userId}/voice`, body);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const done = await settled(started.body.id);
    expect(done.status).toBe('succeeded');
    return done;
  };
  const inventory = async (id: string) => get<InventoryNumber>(`/api/tenants/${tenantId}/numbers/${id}`);
  const rows = () => page.getByTestId('tenant-voice-change');

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startServer(target, { entry: 'start' });
    const sims = demoSimulators(server);
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => console.warn('page error:', e.message));
    await signInFirstAdmin(page, server, 'Harbour-Quartz-Meridian-7741');
    csrf = ((await (await page.request.get(`${server.url}/api/auth/session`)).json()) as { csrfToken: string }).csrfToken;
    const { tenants } = await get<{ tenants: Array<{ id: string; isDemo: boolean }> }>('/api/tenants');
    tenantId = tenants.find((t) => t.isDemo)!.id;
    const found = await get<{ users: TeamsUser[] }>(`/api/tenants/${tenantId}/teams/users?search=contoso&limit=200`);
    users = found.users.filter((u) => u.phoneSystem && u.numbers.length === 0 && u.usageLocation && u.accountEnabled);
    expect(users.length).toBeGreaterThanOrEqual(5);
    numbers = [];
    for (const e164 of await freeTeamsNumbers(sims.entra, sims.graph)) {
      const inv = (await get<{ numbers: InventoryNumber[] }>(`/api/tenants/${tenantId}/numbers?search=${encodeURIComponent(e164.slice(1))}&limit=5`)).numbers.find((n) => n.e164 === e164);
      if (inv?.status === 'available') numbers.push(inv);
      if (numbers.length === 5) break;
    }
    expect(numbers.length).toBe(5);
    // The history the page shows, made through the same API the forms use.
    changes.first = await voice(users[0]!, { number: { numberId: numbers[0]!.id } });
    changes.second = await voice(users[1]!, { number: { numberId: numbers[1]!.id } });
    changes.policy = await voice(users[2]!, { policies: { OnlineVoiceRoutingPolicy: 'US-Domestic' } });
    changes.moved = await voice(users[0]!, { number: { numberId: numbers[2]!.id } }); // numbers[0] goes to cooling
    // numbers[0] cools, is freed early (block, unblock) and goes to someone else: reverting "moved" must be refused.
    for (const action of ['block', 'unblock']) expect((await post(`/api/tenants/${tenantId}/numbers/${numbers[0]!.id}/lifecycle`, { action, ...(action === 'block' ? { reason: 'Freed early for the test' } : {}) })).status).toBe(200);
    await voice(users[3]!, { number: { numberId: numbers[0]!.id } });
  });

  screenshotOnFailure(() => `${target.name}-voice-changes`, () => page);

  afterAll(async () => {
    await browser?.close();
    if (server) writeFileSync(join(screensDir, `${target.name}-voice-changes-server.log`), server.output());
    await server?.stop();
  });

  it('the tenant section lists every voice change; the filters live in the address', async () => {
    await page.goto(`${server.url}/tenants/${tenantId}`);
    await page.getByRole('navigation', { name: 'Tenant sections' }).getByRole('link', { name: 'Voice changes' }).click();
    await page.waitForURL(`**/tenants/${tenantId}/voice-changes`);
    await expect.poll(() => rows().count()).toBeGreaterThanOrEqual(5);
    if (target.name === 'pglite') await guideScreenshot(page, 'voice-changes');

    await page.getByLabel('User').fill(users[1]!.upn);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/user=/);
    await expect.poll(() => rows().count()).toBe(1);
    expect(await rows().first().textContent()).toContain(users[1]!.upn);

    // The same filtered list from a shared link, and a status filter on top.
    await page.goto(`${server.url}/tenants/${tenantId}/voice-changes?user=${encodeURIComponent(users[1]!.upn)}&status=failed`);
    await page.getByText('No voice changes match these filters.').waitFor();
    expect(await page.getByLabel('Status').inputValue()).toBe('failed');
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => rows().count()).toBeGreaterThanOrEqual(5);

    // A bad date in a link is answered with the field's own message.
    await page.goto(`${server.url}/tenants/${tenantId}/voice-changes?from=yesterday`);
    await page.getByRole('alert').filter({ hasText: /date/ }).waitFor();
  });

  it('reverts from the list, and a revert whose old number was taken is shown as a conflict that changes nothing', async () => {
    await page.goto(`${server.url}/tenants/${tenantId}/voice-changes?user=${encodeURIComponent(users[2]!.upn)}`);
    const row = rows().first();
    await row.getByRole('button', { name: /^Revert/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Revert this change?' });
    expect(await dialog.textContent()).toContain('Voice routing policy: US-Domestic → inherited');
    await dialog.getByRole('button', { name: 'Revert in Teams' }).click();
    await page.getByText(`Revert of ${users[2]!.upn} sent to Teams`).waitFor();
    await expect.poll(async () => (await rows().first().textContent()) ?? '', { timeout: 30_000 }).toMatch(/Revert a change.*Confirmed by Teams/);
    // The older change was changed again since: no Revert on it any more.
    expect(await rows().nth(1).textContent()).toContain('Changed again since');
    const live = await get<{ policies: Record<string, { assignmentType: string } | undefined> }>(`/api/tenants/${tenantId}/teams/users/${users[2]!.userId}?live=true`);
    expect(live.policies.OnlineVoiceRoutingPolicy?.assignmentType ?? null).not.toBe('direct');

    await page.goto(`${server.url}/tenants/${tenantId}/voice-changes?user=${encodeURIComponent(users[0]!.upn)}`);
    await rows().first().getByRole('button', { name: /^Revert/ }).click();
    await dialog.getByRole('button', { name: 'Revert in Teams' }).click();
    const conflict = dialog.getByTestId('revert-conflict');
    await conflict.waitFor();
    expect(await conflict.textContent()).toContain('Not reverted: nothing was changed.');
    expect(await conflict.textContent()).toContain(`The previous number ${numbers[0]!.e164} is now assigned to`);
    await screenshot(page, `${target.name}-voice-changes-conflict`);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await inventory(numbers[2]!.id)).assignee?.id).toBe(users[0]!.userId);
  });

  it('reverts from the audit log, on the voice event of the change', async () => {
    await page.goto(`${server.url}/audit?action=voice.assign_number&targetId=${encodeURIComponent(users[1]!.userId)}`);
    const event = page.getByTestId('audit-row').filter({ hasText: 'voice.assign_number' }).first();
    await event.getByRole('button', { name: /^Revert/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Revert this change?' });
    expect(await dialog.textContent()).toContain(`Number: ${numbers[1]!.e164} → no number`);
    await dialog.getByRole('button', { name: 'Revert in Teams' }).click();
    await page.getByText(`Revert of ${users[1]!.upn} sent to Teams`).waitFor();
    const list = async () => (await get<{ changes: Change[] }>(`/api/tenants/${tenantId}/voice-changes?user=${users[1]!.userId}`)).changes;
    await expect.poll(async () => (await list())[0], { timeout: 30_000 }).toMatchObject({ kind: 'revert', status: 'succeeded', revertOf: changes.second!.id });
    await expect.poll(async () => (await inventory(numbers[1]!.id)).status).toBe('cooling');
    // Once reverted, the event offers no Revert any more.
    await page.reload();
    await page.getByTestId('audit-row').first().waitFor();
    await expect.poll(() => page.getByTestId('audit-row').filter({ hasText: 'voice.assign_number' }).getByRole('button', { name: /^Revert/ }).count()).toBe(0);
  });

  it("acts from the number: reset the holder's policies, remove the number from them, and revert the removal", async () => {
    const holder = users[4]!;
    const number = numbers[3]!;
    await voice(holder, { number: { numberId: number.id }, policies: { OnlineVoiceRoutingPolicy: 'US-Domestic' } });
    await page.goto(`${server.url}/tenants/${tenantId}/numbers?number=${number.id}`);
    const drawer = page.getByRole('dialog').filter({ has: page.getByRole('heading', { name: number.e164 }) });
    const held = drawer.getByTestId('number-holder');
    await held.waitFor();
    expect(await held.textContent()).toContain(`Teams user ${holder.upn}`);
    expect(await held.getByRole('link', { name: `Open ${holder.upn}’s voice panel` }).getAttribute('href')).toContain(`/tenants/${tenantId}/voice?user=`);
    if (target.name === 'pglite') await guideScreenshot(page, 'number-drawer-actions', { element: drawer });

    await held.getByRole('button', { name: 'Reset the user’s policies…' }).click();
    let dialog = page.getByRole('dialog', { name: `Reset ${holder.upn}’s policies?` });
    await dialog.getByRole('button', { name: 'Reset in Teams' }).click();
    await held.getByTestId('change-status').and(page.locator('[data-status="succeeded"]')).waitFor({ timeout: 30_000 });
    const live = await get<{ policies: Record<string, { assignmentType: string } | undefined> }>(`/api/tenants/${tenantId}/teams/users/${holder.userId}?live=true`);
    expect(live.policies.OnlineVoiceRoutingPolicy?.assignmentType ?? null).not.toBe('direct');
    expect((await inventory(number.id)).status).toBe('assigned');

    await held.getByRole('button', { name: 'Remove from the user…' }).click();
    dialog = page.getByRole('dialog', { name: `Remove ${number.e164} from ${holder.upn}?` });
    await dialog.getByRole('button', { name: 'Remove in Teams' }).click();
    await expect.poll(async () => (await inventory(number.id)).status, { timeout: 30_000 }).toBe('cooling');
    await held.getByTestId('change-status').and(page.locator('[data-status="succeeded"]')).waitFor();
    await drawer.getByText('Was held by').waitFor();

    await held.getByRole('button', { name: 'Revert this change…' }).click();
    const revert = page.getByRole('dialog', { name: 'Revert this change?' });
    await revert.getByRole('button', { name: 'Revert in Teams' }).click();
    await expect.poll(async () => (await inventory(number.id)).status, { timeout: 30_000 }).toBe('assigned');
    expect((await inventory(number.id)).assignee?.id).toBe(holder.userId);
    await drawer.getByText('Held by', { exact: true }).waitFor();
    await screenshot(page, `${target.name}-number-drawer-reverted`);
  });
});
