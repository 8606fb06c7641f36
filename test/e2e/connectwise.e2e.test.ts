/**
 * ConnectWise ticket work end to end (SPEC B4, F1–F6, G1) on the demo exactly as `npm start` runs
 * it: the demo tenant is connected to the built-in Manage simulator. The admin checks the
 * connection and chooses the ticket defaults from ConnectWise's own lists, picks a ticket on the
 * voice panel and changes a user's number; once Teams confirms, the ticket has the note, the new
 * status and the time entry with the chosen role and type (read back from the simulated Manage
 * API), and the audit log filtered by the ticket shows the voice event. A role Manage refuses
 * for the member's location is shown to the engineer in Manage's words, and a retry after
 * fixing the default logs it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { chromiumAvailable, ensureWebBuilt, guideScreenshot, launchBrowser, screensDir, screenshot, signInFirstAdmin, startServer, targets, type RunningServer } from './harness.ts';

const haveChromium = chromiumAvailable();
const ADMIN_PASSWORD = 'Lantern-Orchid-Basalt-4418';
const MANAGE_AUTH = { authorization: `Basic ${Buffer.from('contoso_msp+demo-public-key:demo-private-key').toString('base64')}`, clientId: 'e2e-check' };

type TeamsUser = { userId: string; upn: string; displayName: string; accountEnabled: boolean; usageLocation: string | null; phoneSystem: boolean; numbers: unknown[] };
type InventoryNumber = { id: string; e164: string; status: string; notes: string };
type Ticket = { status: { name: string } };
type Note = { id: number; text: string; detailDescriptionFlag: boolean; member: { identifier: string } };
type TimeEntry = { chargeToId: number; member: { identifier: string }; workRole: { name: string }; workType: { name: string }; notes: string; actualHours: number; timeStart: string; timeEnd: string };

describe.skipIf(!haveChromium).each(targets())('ConnectWise tickets in the browser on the npm start demo ($name)', (target) => {
  let server: RunningServer;
  let manageUrl: string;
  let browser: Browser;
  let page: Page;
  let tenantId: string;
  let readyUsers: TeamsUser[];
  let freeNumbers: InventoryNumber[];
  const shot = (name: string) => screenshot(page, `${target.name}-connectwise-${name}`);

  const api = async <T,>(path: string): Promise<T> => {
    const response = await page.request.get(`${server.url}${path}`);
    expect(response.status(), `GET ${path}`).toBe(200);
    return (await response.json()) as T;
  };
  /** Straight from the simulated Manage API, as any ConnectWise client would read it. */
  const manage = async <T,>(path: string): Promise<T> => {
    const response = await fetch(`${manageUrl}/v4_6_release/apis/3.0${path}`, { headers: MANAGE_AUTH });
    expect(response.status, `Manage GET ${path}`).toBe(200);
    return (await response.json()) as T;
  };

  async function openUser(user: TeamsUser): Promise<void> {
    await page.goto(`${server.url}/tenants/${tenantId}/voice`);
    await page.getByLabel('Find a user').fill(user.upn);
    await page.getByTestId('user-result').filter({ hasText: user.upn }).click();
    await page.getByRole('heading', { name: user.displayName }).waitFor();
    await page.getByRole('button', { name: 'Apply in Teams' }).waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Apply in Teams' }).isEnabled()).toBe(true);
  }

  async function pickTicket(scope: Page | Locator, ticket: { search: string; id: number }): Promise<void> {
    await scope.getByLabel('Find a ConnectWise ticket (optional)').fill(ticket.search);
    await scope.getByTestId('ticket-picker').getByRole('button', { name: new RegExp(`^#${ticket.id} `) }).click();
    await scope.getByTestId('chosen-ticket').waitFor();
  }

  async function changeNumber(user: TeamsUser, number: InventoryNumber, ticket: { search: string; id: number }, choose?: (choices: Locator) => Promise<void>): Promise<void> {
    await openUser(user);
    await page.getByLabel('Assign a number from the inventory').check();
    await page.getByLabel('Find a number in the inventory').fill(number.e164.slice(1));
    await page.getByTestId('number-picker').getByRole('radio', { name: new RegExp(`\\${number.e164}`) }).check();
    await pickTicket(page, ticket);
    if (choose) {
      const choices = page.getByTestId('ticket-log-choices');
      await choices.getByLabel('Minutes to log').waitFor();
      await choose(choices);
    }
    await page.getByRole('button', { name: 'Apply in Teams' }).click();
    await page.getByTestId('change-status').and(page.locator('[data-status="succeeded"]')).waitFor({ timeout: 30_000 });
  }

  async function editDefaults(choose: (form: Locator) => Promise<void>): Promise<void> {
    await page.goto(`${server.url}/tenants/${tenantId}/connections`);
    await page.getByRole('button', { name: 'Edit ticket defaults' }).click();
    const form = page.getByRole('form', { name: 'Ticket defaults' });
    await form.getByLabel('Work role').waitFor();
    await choose(form);
    await form.getByRole('button', { name: 'Save defaults' }).click();
    await form.waitFor({ state: 'detached' });
  }

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startServer(target, { entry: 'start' });
    manageUrl = /ConnectWise (\S+)/.exec(server.output())![1]!;
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => console.warn('page error:', e.message));
  });

  beforeEach((context) => {
    onTestFailed(async () => {
      const name = context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40);
      if (page) await screenshot(page, `${target.name}-connectwise-FAILED-${name}`).catch(() => undefined);
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (server) writeFileSync(join(screensDir, `${target.name}-connectwise-server.log`), server.output());
    await server?.stop();
    // The demo's private key never reaches the logs.
    if (server) expect(server.output()).not.toMatch(/demo-private-key/);
  });

  it('the admin finds the demo tenant connected to ConnectWise, tests it and picks the ticket defaults from its lists', async () => {
    await signInFirstAdmin(page, server, ADMIN_PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' }).click();
    await page.getByRole('link', { name: 'Contoso (demo)' }).click();
    await page.waitForURL(/\/tenants\/[0-9a-f-]{36}$/);
    tenantId = /\/tenants\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    await page.getByRole('navigation', { name: 'Tenant sections' }).getByRole('link', { name: 'Connections' }).click();
    const summary = page.getByTestId('connectwise-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toContain('Saved');
    expect(await page.content()).not.toContain('demo-private-key');
    await page.getByRole('button', { name: 'Test ConnectWise' }).click();
    await page.getByTestId('connectwise-test').filter({ hasText: 'ConnectWise answers.' }).waitFor();

    await editDefaults(async (form) => {
      // Only what ConnectWise lists as active is offered: the inactive role and type are not.
      const roles = await form.getByLabel('Work role').locator('option').allTextContents();
      expect(roles).toEqual(["(the member's default)", 'Technician', 'Voice Engineer', 'Remote Engineer']);
      const statuses = await form.getByLabel('Status after a change').locator('option').allTextContents();
      expect(statuses).toEqual(["(leave the ticket's status as it is)", 'New', 'In Progress', 'Waiting on Customer']);
      await form.getByLabel('Status after a change').selectOption({ label: 'Waiting on Customer' });
      await form.getByLabel('Work role').selectOption({ label: 'Technician' });
      await form.getByLabel('Work type').selectOption({ label: 'Onsite' });
      await form.getByLabel('Internal analysis').check();
    });
    await expect.poll(() => summary.textContent()).toContain('Technician');
    expect(await summary.textContent()).toContain('Onsite');
    expect(await summary.textContent()).toContain('Waiting on Customer');
    await shot('1-connection');

    // The first admin of the demo is mapped to a simulated member; the form offers the members ConnectWise lists.
    await page.goto(`${server.url}/admin/operators`);
    await page.getByTestId('operator-row').filter({ hasText: server.adminEmail }).getByRole('button', { name: `Manage ${server.adminEmail}` }).click();
    const member = page.getByRole('dialog').getByLabel('ConnectWise member');
    await expect.poll(() => member.inputValue()).toBe('jdoe');
    expect(await member.locator('option').allTextContents()).toContain('Alex Smith (asmith)');
    expect(await member.locator('option').allTextContents()).not.toContain('Old Timer (oldtimer)');
    await page.keyboard.press('Escape');
  });

  it('picks a ticket on the voice panel, changes a number, and the ticket gets the note, status and time entry', async () => {
    const { users } = await api<{ users: TeamsUser[] }>(`/api/tenants/${tenantId}/teams/users?search=contoso&limit=200`);
    readyUsers = users.filter((u) => u.phoneSystem && u.numbers.length === 0 && u.usageLocation && u.accountEnabled);
    freeNumbers = (await api<{ numbers: InventoryNumber[] }>(`/api/tenants/${tenantId}/numbers?search=reconcile&status=available&kind=direct_routing&limit=10`)).numbers;
    expect(readyUsers.length).toBeGreaterThan(1);
    expect(freeNumbers.length).toBeGreaterThan(1);
    const user = readyUsers[0]!;
    const number = freeNumbers[0]!;

    await openUser(user);
    // Only the demo company's open tickets; a closed one is not offered.
    await page.getByLabel('Find a ConnectWise ticket (optional)').fill('carrier');
    await page.getByText('No open ticket matches.').waitFor();
    await page.getByLabel('Find a ConnectWise ticket (optional)').fill('');
    await expect.poll(() => page.getByTestId('ticket-picker').getByRole('button').count()).toBe(5);
    await shot('2-ticket-picker');

    await changeNumber(user, number, { search: 'new starter', id: 7001 });
    const log = page.getByTestId('change-tracker').getByTestId('ticket-log');
    await log.and(page.locator('[data-status="logged"]')).waitFor({ timeout: 30_000 });
    expect(await log.textContent()).toContain('Logged on ticket #7001');
    await shot('3-logged');

    const notes = await manage<Note[]>('/service/tickets/7001/notes');
    const note = notes.find((n) => n.text.includes(`→ ${number.e164}`));
    expect(note, 'the note describing the change').toBeDefined();
    expect(note!.text).toContain(user.upn.toLowerCase());
    expect(note!.member.identifier).toBe('jdoe');
    expect((await manage<{ status: { name: string } }>('/service/tickets/7001')).status.name).toBe('Waiting on Customer');
    const entries = await manage<TimeEntry[]>(`/time/entries?conditions=${encodeURIComponent('chargeToId = 7001')}`);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ member: { identifier: 'jdoe' }, workRole: { name: 'Technician' }, workType: { name: 'Onsite' } });
  });

  it('the audit log filtered by the ticket shows the voice event', async () => {
    await page.goto(`${server.url}/audit`);
    await page.getByLabel('Ticket', { exact: true }).fill('7001');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByTestId('audit-row').filter({ hasText: 'voice.assign_number_requested' }).waitFor();
    const rows = await page.getByTestId('audit-row').allTextContents();
    expect(rows.every((r) => r.includes('Ticket #7001'))).toBe(true);
    const actions = await page.getByTestId('audit-row').locator('code').allTextContents();
    expect(actions).toEqual(expect.arrayContaining(['voice.assign_number_requested', 'voice.assign_number', 'ticket.logged']));
    await shot('4-audit-by-ticket');
  });

  it("shows Manage's refusal of a role not valid for the member's location, and a retry after the fix logs the time", async () => {
    await editDefaults(async (form) => {
      await form.getByLabel('Work role').selectOption({ label: 'Voice Engineer' });
    });
    // Alex Smith works at the Remote Office, where the Voice Engineer role is not allowed.
    await page.goto(`${server.url}/admin/operators`);
    await page.getByTestId('operator-row').filter({ hasText: server.adminEmail }).getByRole('button', { name: `Manage ${server.adminEmail}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('ConnectWise member').selectOption('asmith');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.getByText('Changes saved.').waitFor();
    await page.keyboard.press('Escape');

    const user = readyUsers[1]!;
    await changeNumber(user, freeNumbers[1]!, { search: '7002', id: 7002 });
    const log = page.getByTestId('change-tracker').getByTestId('ticket-log');
    await log.and(page.locator('[data-status="failed"]')).waitFor({ timeout: 30_000 });
    expect(await log.getByTestId('ticket-log-error').textContent()).toContain('The default Work Role is not valid for the selected location.');
    expect(await page.getByTestId('change-status').textContent()).toContain('Teams confirmed');
    await shot('5-role-refused');

    await editDefaults(async (form) => {
      await form.getByLabel('Work role').selectOption({ label: "(the member's default)" });
    });
    // The Overview lists the failed ticket logging as work to do, and the retry is one click there.
    await page.goto(server.url);
    const item = page.getByTestId('overview-item').and(page.locator('[data-kind="ticket_log_failed"]'));
    await item.waitFor();
    expect(await item.textContent()).toContain('#7002');
    expect(await item.textContent()).toContain('The default Work Role is not valid for the selected location.');
    await shot('6-overview-ticket-log-failed');
    await item.getByRole('button', { name: 'Try logging again' }).click();
    await item.waitFor({ state: 'detached', timeout: 30_000 });
    await openUser(user);
    await page.getByTestId('voice-change').first().getByTestId('ticket-log').and(page.locator('[data-status="logged"]')).waitFor({ timeout: 30_000 });
    await shot('7-retried');

    const entries = await manage<TimeEntry[]>(`/time/entries?conditions=${encodeURIComponent('chargeToId = 7002')}`);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ member: { identifier: 'asmith' }, workRole: { name: 'Remote Engineer' } });
    // The note was written once, before the time entry failed, and not again by the retry.
    expect((await manage<Note[]>('/service/tickets/7002/notes')).filter((n) => n.text.includes(user.upn.toLowerCase()))).toHaveLength(1);
  });
  it('an operator chooses the minutes, a status of the ticket\'s board and a work type for a voice change; the ticket gets them and the form remembers them', async () => {
    expect(readyUsers.length).toBeGreaterThan(2);
    const user = readyUsers[2]!;
    const number = freeNumbers[2]!;
    await changeNumber(user, number, { search: '7003', id: 7003 }, async (choices) => {
      // The ticket's own board's open statuses only (all demo tickets are on Voice Services), or leave it.
      expect(await choices.getByLabel('Ticket status after the change').locator('option').allTextContents()).toEqual(['Leave as is', 'New', 'In Progress', 'Waiting on Customer']);
      expect(await choices.getByLabel('Work type').locator('option').allTextContents()).toEqual(["The member's own default", 'Remote Support', 'Onsite', 'Internal Admin']);
      // The member defaults to the operator's mapped one (asmith since the previous test).
      expect(await choices.getByLabel('Log time as').inputValue()).toBe('asmith');
      await choices.getByLabel('Minutes to log').selectOption({ label: '45 min' });
      await choices.getByLabel('Ticket status after the change').selectOption({ label: 'In Progress' });
      await choices.getByLabel('Work type').selectOption({ label: 'Internal Admin' });
      await guideScreenshot(page, 'connectwise-ticket-choices', { element: choices });
    });
    const log = page.getByTestId('change-tracker').getByTestId('ticket-log');
    await log.and(page.locator('[data-status="logged"]')).waitFor({ timeout: 30_000 });
    expect(await log.textContent()).toContain('Logged on ticket #7003');

    const notes = await manage<Note[]>('/service/tickets/7003/notes');
    expect(notes.find((n) => n.text.includes(`→ ${number.e164}`)), 'the note describing the change').toBeDefined();
    expect((await manage<Ticket>('/service/tickets/7003')).status.name).toBe('In Progress');
    const entries = await manage<TimeEntry[]>(`/time/entries?conditions=${encodeURIComponent('chargeToId = 7003')}`);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actualHours: 0.75, member: { identifier: 'asmith' }, workType: { name: 'Internal Admin' } });
    expect(Date.parse(entries[0]!.timeEnd) - Date.parse(entries[0]!.timeStart)).toBe(45 * 60_000);

    // The next change's form starts from what this operator chose last time.
    await openUser(readyUsers[3] ?? readyUsers[0]!);
    await pickTicket(page, { search: '7004', id: 7004 });
    const choices = page.getByTestId('ticket-log-choices');
    await choices.getByLabel('Minutes to log').waitFor();
    expect(await choices.getByLabel('Minutes to log').inputValue()).toBe('45');
    expect(await choices.getByLabel('Work type').locator('option:checked').textContent()).toBe('Internal Admin');
    expect(await choices.getByLabel('Log time as').inputValue()).toBe('asmith');
  });

  it('blocking a number with a ticket picked logs the note and the remembered time on that ticket', async () => {
    const number = freeNumbers[3]!;
    await page.goto(`${server.url}/tenants/${tenantId}/numbers?number=${number.id}`);
    const drawer = page.getByRole('dialog').filter({ has: page.getByRole('heading', { name: number.e164 }) });
    await drawer.getByRole('group', { name: 'Change status' }).getByRole('button', { name: 'Block' }).click();
    const dialog = page.getByRole('dialog', { name: `Block ${number.e164}` });
    await dialog.getByLabel('Reason (optional)').fill('Carrier fault on this number');
    await pickTicket(dialog, { search: '7005', id: 7005 });
    const choices = dialog.getByTestId('ticket-log-choices');
    await expect.poll(() => choices.getByLabel('Minutes to log').inputValue()).toBe('45');
    await choices.getByLabel('Minutes to log').selectOption({ label: '15 min' });
    await dialog.getByRole('button', { name: 'Block', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });

    await expect.poll(async () => (await manage<TimeEntry[]>(`/time/entries?conditions=${encodeURIComponent('chargeToId = 7005')}`)).length, { timeout: 30_000 }).toBe(1);
    const [entry] = await manage<TimeEntry[]>(`/time/entries?conditions=${encodeURIComponent('chargeToId = 7005')}`);
    expect(entry).toMatchObject({ actualHours: 0.25, member: { identifier: 'asmith' }, workType: { name: 'Internal Admin' } });
    expect((await manage<Note[]>('/service/tickets/7005/notes')).some((n) => n.text.includes(number.e164))).toBe(true);
  });
  it("the admin sets the tenant's minutes to log; a value ConnectWise time cannot take is refused in the form", async () => {
    await page.goto(`${server.url}/tenants/${tenantId}/connections`);
    await page.getByRole('button', { name: 'Edit ticket defaults' }).click();
    const form = page.getByRole('form', { name: 'Ticket defaults' });
    await form.getByLabel('Minutes to log').fill('0');
    await form.getByRole('button', { name: 'Save defaults' }).click();
    await form.getByText('Enter whole minutes from 1 to 1440, or leave it empty to log the time the change took.').waitFor();
    expect((await api<{ defaults: { defaultMinutes: number | null } }>(`/api/tenants/${tenantId}/connections/connectwise`)).defaults.defaultMinutes).toBeNull();
    await form.getByLabel('Minutes to log').fill('20');
    await form.getByRole('button', { name: 'Save defaults' }).click();
    await form.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('connectwise-summary').textContent()).toContain('20 min');
    expect((await api<{ defaults: { defaultMinutes: number | null } }>(`/api/tenants/${tenantId}/connections/connectwise`)).defaults.defaultMinutes).toBe(20);

    // Change forms offer the tenant's minutes (this operator's remembered 15 stays chosen).
    await openUser(readyUsers[0]!);
    await pickTicket(page, { search: '7001', id: 7001 });
    const minutes = page.getByTestId('ticket-log-choices').getByLabel('Minutes to log');
    await expect.poll(() => minutes.inputValue()).toBe('15');
    expect(await minutes.locator('option').first().textContent()).toBe('Tenant default (20 min)');
  });
});
