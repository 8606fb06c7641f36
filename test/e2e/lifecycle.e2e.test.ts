/**
 * Joiners and leavers (#18) in the browser on the npm start demo: the first admin opens the demo
 * tenant's "Joiners & leavers" page, dry-runs and then onboards a user who has no Teams Phone
 * licence (the licence is assigned from the tenant's pool, a number Teams knows is taken, the
 * ticket gets a note), then offboards them (number first, licence last). Teams (the Graph
 * simulator) and the audit log show each.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, demoSimulators, screensDir, ensureWebBuilt, guideScreenshot, launchBrowser, screenshot, signInFirstAdmin, startServer, targets, type RunningServer } from './harness.ts';

const haveChromium = chromiumAvailable();
const ADMIN_PASSWORD = 'Harbour-Quartz-Meridian-7741';
const DEMO_TENANT_ID = '6f1d3c2a-8b4e-4c1f-9a7d-0c5e2b9f4a11';
const TEAMS_PHONE_STANDARD = 'e43b5b99-8dfb-405f-9987-dc307f34bcbd';

type TeamsUser = { userId: string; upn: string; accountEnabled: boolean; usageLocation: string | null; phoneSystem: boolean; numbers: unknown[] };

async function graphToken(entraUrl: string): Promise<string> {
  const answer = await fetch(`${entraUrl}/${DEMO_TENANT_ID}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ client_id: 'demo-client', client_secret: 'demo-secret', grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' }),
  });
  return ((await answer.json()) as { access_token: string }).access_token;
}

describe.skipIf(!haveChromium).each(targets())('joiners and leavers in the browser on the npm start demo ($name)', (target) => {
  let server: RunningServer;
  let sims: { entra: string; graph: string };
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let tenantId: string;
  let joiner: TeamsUser;
  let e164: string;
  const graph = async (path: string) => {
    const answer = await fetch(`${sims.graph}/v1.0${path}`, { headers: { authorization: `Bearer ${await graphToken(sims.entra)}` } });
    return (await answer.json()) as any;
  };
  const api = async (path: string) => {
    const answer = await page.request.get(`${server.url}${path}`);
    expect(answer.status(), `GET ${path}`).toBe(200);
    return (await answer.json()) as any;
  };

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startServer(target, { entry: 'start' });
    sims = demoSimulators(server);
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => console.warn('page error:', e.message));
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    mkdirSync(screensDir, { recursive: true });
    if (server) writeFileSync(join(screensDir, `${target.name}-lifecycle-server.log`), server.output());
    await server?.stop();
  });

  it('the first admin signs in and opens the demo tenant’s joiners and leavers', async () => {
    await signInFirstAdmin(page, server, ADMIN_PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' }).click();
    await page.getByRole('link', { name: 'Contoso (demo)' }).click();
    await page.waitForURL(/\/tenants\/[0-9a-f-]{36}$/);
    tenantId = /\/tenants\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    await page.getByRole('navigation', { name: 'Tenant sections' }).getByRole('link', { name: 'Joiners & leavers' }).click();
    await page.waitForURL(`**/tenants/${tenantId}/lifecycle`);
    await page.getByRole('heading', { name: 'Onboard a user' }).waitFor();

    const { users } = await api(`/api/tenants/${tenantId}/teams/users?search=contoso&limit=200`);
    joiner = (users as TeamsUser[]).find((u) => !u.phoneSystem && u.numbers.length === 0 && u.usageLocation && u.accountEnabled)!;
    expect(joiner, 'a demo user without Teams Phone').toBeDefined();
    // A Direct Routing number Teams has free and the inventory has available.
    const free = ((await graph('/admin/teams/telephoneNumberManagement/numberAssignments?$top=1000')).value as Array<{ telephoneNumber: string; numberType: string; assignmentStatus: string }>).filter((n) => n.numberType === 'directRouting' && n.assignmentStatus === 'unassigned');
    for (const candidate of free) {
      const found = (await api(`/api/tenants/${tenantId}/numbers?search=${encodeURIComponent(candidate.telephoneNumber.slice(1))}&limit=5`)).numbers.find((n: any) => n.e164 === candidate.telephoneNumber);
      if (found?.status === 'available') {
        e164 = found.e164;
        break;
      }
    }
    expect(e164, 'a free number').toBeDefined();
  });

  it('dry-runs, then onboards the user: licence, number, policies and ticket, each step shown', async () => {
    const form = page.getByRole('form', { name: 'Onboard a user' });
    await form.getByLabel('User (UPN)').fill(joiner.upn);
    await form.getByLabel('Number (optional)', { exact: true }).fill(e164);
    await form.getByLabel('Licence to assign if missing').selectOption(TEAMS_PHONE_STANDARD);
    await form.getByLabel('Ticket number (optional)').fill('7002');
    await form.getByRole('button', { name: 'Dry run' }).click();
    const plan = form.getByLabel('Dry run');
    await plan.getByText('nothing blocks it; nothing has changed yet.').waitFor();
    await plan.getByText(/Assign MCOEV \(\d+ free\)/).waitFor();
    await screenshot(page, `${target.name}-lifecycle-1-dry-run`);
    expect((await graph(`/users/${joiner.userId}?$select=assignedLicenses`)).assignedLicenses.map((l: any) => l.skuId)).not.toContain(TEAMS_PHONE_STANDARD);

    await form.getByRole('button', { name: 'Onboard', exact: true }).click();
    await form.getByText(`Onboarding of ${joiner.upn} started`).waitFor();
    const card = page.getByRole('listitem', { name: `Onboarding ${joiner.upn}` });
    await expect.poll(async () => card.locator('p').first().textContent(), { timeout: 60_000 }).toContain('Done');
    await card.getByText(`${e164} assigned in Teams`).waitFor();
    await card.getByText(/Note( and time)? on ticket #7002/).waitFor();
    await screenshot(page, `${target.name}-lifecycle-2-onboarded`);

    expect((await graph(`/users/${joiner.userId}?$select=assignedLicenses`)).assignedLicenses.map((l: any) => l.skuId)).toContain(TEAMS_PHONE_STANDARD);
    const config = await graph(`/admin/teams/userConfigurations/${joiner.userId}`);
    expect(config.telephoneNumbers.map((n: any) => n.telephoneNumber)).toEqual([e164]);
    const events = (await api(`/api/audit?targetId=${joiner.userId}&limit=200`)) as any;
    expect((events.events ?? events.items).map((e: any) => e.action)).toEqual(expect.arrayContaining(['lifecycle.onboard_requested', 'teams.licence_assigned', 'lifecycle.onboarded']));
  });

  it('offboards the user: number first, policies reset, number cooling as a leaver’s, licence last', async () => {
    const form = page.getByRole('form', { name: 'Offboard a user' });
    await form.getByLabel('User (UPN)').fill(joiner.upn);
    await form.getByLabel('Licence to remove last (optional)').selectOption(TEAMS_PHONE_STANDARD);
    await form.getByLabel('Ticket number (optional)').fill('7002');
    await form.getByRole('button', { name: 'Dry run' }).click();
    await form.getByLabel('Dry run').getByText(`Remove ${e164} from ${joiner.upn}`, { exact: false }).waitFor();
    await form.getByRole('button', { name: 'Offboard', exact: true }).click();
    const card = page.getByRole('listitem', { name: `Offboarding ${joiner.upn}` });
    await expect.poll(async () => card.locator('p').first().textContent(), { timeout: 60_000 }).toContain('Done');
    await card.getByText('with reason "leaver"', { exact: false }).waitFor();
    await screenshot(page, `${target.name}-lifecycle-3-offboarded`);
    const config = await graph(`/admin/teams/userConfigurations/${joiner.userId}`);
    expect(config.telephoneNumbers).toEqual([]);
    expect((await graph(`/users/${joiner.userId}?$select=assignedLicenses`)).assignedLicenses.map((l: any) => l.skuId)).not.toContain(TEAMS_PHONE_STANDARD);
    const number = (await api(`/api/tenants/${tenantId}/numbers?search=${encodeURIComponent(e164.slice(1))}&limit=5`)).numbers.find((n: any) => n.e164 === e164);
    expect(number.status).toBe('cooling');
  });

  it('schedules an onboarding for later, shows it in Scheduled (the tenant’s and across tenants) with its time zone, and cancels it: nothing happens', async () => {
    const { users } = await api(`/api/tenants/${tenantId}/teams/users?search=contoso&limit=200`);
    const later = (users as TeamsUser[]).find((u) => u.phoneSystem && u.numbers.length === 0 && u.usageLocation && u.accountEnabled && u.userId !== joiner.userId)!;
    const form = page.getByRole('form', { name: 'Onboard a user' });
    await form.getByLabel('User (UPN)').fill(later.upn);
    await form.getByLabel('Number (optional)', { exact: true }).fill(e164);
    // Tomorrow: close enough to be on the Overview's work list too.
    const day = new Date(Date.now() + 86_400_000);
    const local = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}T09:30`;
    await form.getByLabel(/Schedule for/).fill(local);
    await form.getByRole('button', { name: 'Schedule', exact: true }).click();
    await form.getByText(`Scheduled for ${later.upn}`).waitFor();
    await screenshot(page, `${target.name}-lifecycle-4-schedule-form`);

    await page.getByRole('navigation', { name: 'Tenant sections' }).getByRole('link', { name: 'Scheduled' }).click();
    const row = page.getByRole('listitem', { name: `Onboarding ${later.upn}` });
    const shown = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium' }).format(day);
    await row.getByTestId('scheduled-time').filter({ hasText: `${shown}, 09:30 (` }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Scheduled' }).click();
    await page.getByRole('heading', { name: 'Scheduled' }).waitFor();
    const everywhere = page.getByRole('listitem', { name: `Onboarding ${later.upn}` });
    await everywhere.getByText('Contoso (demo)', { exact: false }).waitFor();
    await screenshot(page, `${target.name}-lifecycle-4-scheduled`);

    // The Overview lists it among the work of the demo's tenants, linked to the Scheduled view.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
    const upcoming = page.getByTestId('overview-item').and(page.locator('[data-kind="scheduled_upcoming"]')).filter({ hasText: later.upn });
    await upcoming.waitFor();
    await guideScreenshot(page, 'overview');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Scheduled' }).click();
    await everywhere.getByRole('button', { name: 'Cancel' }).click();
    await everywhere.getByText('Cancelled', { exact: true }).waitFor();
    const { changes } = await api(`/api/tenants/${tenantId}/scheduled-changes`);
    expect(changes.find((c: any) => c.subject === later.upn).status).toBe('cancelled');
    expect((await api(`/api/tenants/${tenantId}/lifecycle/jobs?userId=${later.userId}`)).jobs).toEqual([]);
  });

  it('sets the tenant’s time zone, schedules a voice change from the user’s voice panel in that zone, sees it in Scheduled there, and cancels it', async () => {
    await page.goto(`${server.url}/tenants/${tenantId}`);
    await page.getByRole('button', { name: 'Edit tenant' }).click();
    const dialog = page.getByRole('dialog', { name: /^Edit / });
    // Not an IANA name: refused with the reason, nothing saved.
    await dialog.getByLabel('Time zone').fill('EST');
    await dialog.getByRole('button', { name: 'Save tenant' }).click();
    await dialog.getByText('must be an IANA time zone', { exact: false }).waitFor();
    expect((await api(`/api/tenants/${tenantId}`)).timeZoneSet).toBe(false);
    await dialog.getByLabel('Time zone').fill('America/New_York');
    await dialog.getByRole('button', { name: 'Save tenant' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('America/New_York', { exact: true }).waitFor();

    const { users } = await api(`/api/tenants/${tenantId}/teams/users?search=contoso&limit=200`);
    const voiced = (users as TeamsUser[]).find((u) => u.numbers.length > 0 && u.userId !== joiner.userId && u.phoneSystem)!;
    await page.goto(`${server.url}/tenants/${tenantId}/voice?user=${voiced.userId}`);
    const form = page.getByRole('form', { name: 'Change voice set-up' });
    await form.getByLabel('Remove the number').check();
    // Two days ahead at 09:30 on New York's clocks, whatever the browser's zone.
    const day = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    await form.getByLabel('Schedule for (America/New_York)').fill(`${day}T09:30`);
    await form.getByRole('button', { name: 'Schedule', exact: true }).click();
    await form.getByText(`Scheduled for ${voiced.upn}`).waitFor();
    await screenshot(page, `${target.name}-lifecycle-6-voice-scheduled`);
    const { changes } = await api(`/api/tenants/${tenantId}/scheduled-changes`);
    const change = changes.find((c: any) => c.subject === voiced.upn && c.status === 'scheduled');
    expect(change).toMatchObject({ kind: 'voice_change', timeZone: 'America/New_York', input: { userId: voiced.userId, number: null } });
    // New York is 4 or 5 hours behind UTC that day: read off the runtime's own zone data, not the app's helper.
    const newYorkHourAtNoonUtc = Number(new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: 'numeric', hourCycle: 'h23' }).format(new Date(`${day}T12:00:00Z`)));
    expect(change.runAt).toBe(new Date(Date.parse(`${day}T09:30:00Z`) + (12 - newYorkHourAtNoonUtc) * 3_600_000).toISOString());

    await page.getByRole('navigation', { name: 'Tenant sections' }).getByRole('link', { name: 'Scheduled' }).click();
    const row = page.getByRole('listitem', { name: `Voice change ${voiced.upn}` });
    await row.getByTestId('scheduled-time').filter({ hasText: ', 09:30 (America/New_York)' }).waitFor();
    await row.getByRole('button', { name: 'Cancel' }).click();
    await row.getByText('Cancelled', { exact: true }).waitFor();
    expect((await graph(`/admin/teams/userConfigurations/${voiced.userId}`)).telephoneNumbers.length).toBe(1);

    // Back to the server's zone for the rest of the run.
    await page.goto(`${server.url}/tenants/${tenantId}`);
    await page.getByRole('button', { name: 'Edit tenant' }).click();
    await dialog.getByLabel('Time zone').fill('');
    await dialog.getByRole('button', { name: 'Save tenant' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await api(`/api/tenants/${tenantId}`)).timeZoneSet).toBe(false);
  });

  it('onboards from a CSV: the file is checked row by row, then the rows that passed run', async () => {
    const { users } = await api(`/api/tenants/${tenantId}/teams/users?search=contoso&limit=200`);
    const ready = (users as TeamsUser[]).filter((u) => u.phoneSystem && u.numbers.length === 0 && u.usageLocation && u.accountEnabled);
    const voiced = (users as TeamsUser[]).find((u) => u.numbers.length > 0)!;
    const free = ((await graph('/admin/teams/telephoneNumberManagement/numberAssignments?$top=1000')).value as Array<{ telephoneNumber: string; numberType: string; assignmentStatus: string }>).filter((n) => n.numberType === 'directRouting' && n.assignmentStatus === 'unassigned');
    let another: string | undefined;
    for (const candidate of free) {
      const found = (await api(`/api/tenants/${tenantId}/numbers?search=${encodeURIComponent(candidate.telephoneNumber.slice(1))}&limit=5`)).numbers.find((n: any) => n.e164 === candidate.telephoneNumber);
      if (found?.status === 'available' && found.e164 !== e164) {
        another = found.e164;
        break;
      }
    }
    const csvUser = ready[ready.length - 1]!;
    await page.goto(`${server.url}/tenants/${tenantId}/lifecycle`);
    await page.getByRole('heading', { name: 'Onboard from a CSV' }).waitFor();
    const csv = `UserPrincipalName,Profile,PhoneNumber,Licence,UsageLocation,TicketId\n${csvUser.upn},,${another},,,\n${voiced.upn},,,,,\n`;
    const section = page.getByRole('group', { name: 'Onboard from a CSV' });
    await section.getByLabel('CSV file').setInputFiles({ name: 'joiners.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await section.getByRole('button', { name: 'Check the file' }).click();
    const check = section.getByLabel('File check');
    await check.getByText('1 of 2 rows can run; nothing has changed yet.').waitFor();
    await check.getByText('already onboarded', { exact: false }).waitFor();
    await section.getByRole('button', { name: 'Onboard the rows that passed' }).click();
    await check.getByText('1 onboarding job started').waitFor();
    const card = page.getByRole('listitem', { name: `Onboarding ${csvUser.upn}` });
    await expect.poll(async () => card.locator('p').first().textContent(), { timeout: 60_000 }).toContain('Done');
    await screenshot(page, `${target.name}-lifecycle-5-csv`);
    const config = await graph(`/admin/teams/userConfigurations/${csvUser.userId}`);
    expect(config.telephoneNumbers.map((n: any) => n.telephoneNumber)).toEqual([another]);
  });
});
