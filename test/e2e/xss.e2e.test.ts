/**
 * Stored XSS end to end: script payloads go into every user-supplied field the UI renders
 * (tenant, site, number notes and tags, operator name, voice profile name, a Teams user's
 * display name synced from the Graph simulator, and the audit entries all of these leave),
 * then the pages that show them are opened in Chromium. The browser context bypasses the
 * Content-Security-Policy on purpose, so the proof is that the UI renders text as text, not
 * that CSP happened to block the script; the CSP header itself is checked once as well.
 * ConnectWise ticket summaries come from the ConnectWise simulator and show in the ticket picker.
 */
import type { APIRequestContext, Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConnectWise, startConnectWiseSimulator, type RunningConnectWiseSimulator } from '../../simulators/index.ts';
import { startTeamsSimulators, type TeamsFixture } from '../helpers/teams-fixture.ts';
import { chromiumAvailable, ensureWebBuilt, launchBrowser, screenshot, signInFirstAdmin, startServer, targets, type RunningServer } from './harness.ts';

const haveChromium = chromiumAvailable();
const PASSWORD = 'Lantern-Obsidian-Tributary-5512';
const IMG = '<img src=x onerror=window.__xss=1>';
const SCRIPT = '<script>window.__xss=1</script>';
const BOTH = `${IMG}${SCRIPT}`;

const payloads = {
  tenant: `Tenant ${BOTH}`,
  site: `Site ${BOTH}`,
  notes: `Notes ${BOTH}`,
  tag: IMG,
  operator: `Operator ${BOTH}`,
  profile: `Profile ${BOTH}`,
  teamsUser: `Teams ${BOTH}`,
  ticket: `Ticket ${BOTH}`,
};
const CW_KEYS = { companyId: 'contoso_msp', publicKey: 'xss-public-key', privateKey: 'xss-private-key', clientId: '0b7c4a5e-2d1f-4e8a-9c3b-5f6a7d8e9f01' };

describe.skipIf(!haveChromium).each(targets())('stored XSS in the browser ($name)', (target) => {
  let server: RunningServer;
  let fx: TeamsFixture;
  let cw: RunningConnectWiseSimulator;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let tenantId: string;
  let teamsUpn: string;

  /** The page's own API session (cookie + CSRF token), as the UI calls it. */
  async function api(request: APIRequestContext, method: 'POST' | 'PUT' | 'PATCH', path: string, data: unknown): Promise<any> {
    const session = await (await request.get(`${server.url}/api/auth/session`)).json();
    const res = await request.fetch(`${server.url}${path}`, { method, data, headers: { 'x-csrf-token': session.csrfToken } });
    const body = await res.json();
    if (res.status() >= 300) throw new Error(`${method} ${path}: ${res.status()} ${JSON.stringify(body)}`);
    return body;
  }

  /** No payload ran, no element was injected, and the payload shows as literal text. */
  async function expectInert(text: string, where: string, options: { hidden?: boolean } = {}): Promise<void> {
    await page.waitForFunction((t) => (document.body.textContent ?? '').includes(t), text, { timeout: 20_000 }).catch(() => undefined);
    const state = await page.evaluate((t) => {
      const w = window as unknown as { __xss?: unknown };
      return {
        xss: w.__xss,
        injectedImages: document.querySelectorAll('img[src="x"]').length,
        injectedScripts: [...document.querySelectorAll('script')].filter((s) => (s.textContent ?? '').includes('__xss')).length,
        literal: (document.body.textContent ?? '').includes(t),
        visible: document.body.innerText.includes(t),
      };
    }, text);
    expect(state.xss, where).toBeUndefined();
    expect(state.injectedImages, where).toBe(0);
    expect(state.injectedScripts, where).toBe(0);
    expect(state.literal, `${where}: "${text}" shown literally`).toBe(true);
    if (!options.hidden) expect(state.visible, `${where}: "${text}" visible`).toBe(true);
  }

  beforeAll(async () => {
    ensureWebBuilt();
    fx = await startTeamsSimulators({ users: 4, spareNumbers: 2 });
    // The display name arrives from Teams (the Graph simulator) when the directory syncs.
    const graphTenant = fx.graph.state.tenants.get(fx.microsoftTenantId.toLowerCase())!;
    const user = [...graphTenant.users.values()][0]!;
    user.displayName = payloads.teamsUser;
    teamsUpn = user.userPrincipalName;
    // A ticket summary typed by someone in ConnectWise reaches the ticket picker.
    cw = await startConnectWiseSimulator({ port: 0, state: seedConnectWise(CW_KEYS) });
    const company = cw.state.companies[1]!.identifier;
    for (const ticket of cw.state.tickets.filter((x) => x.company.identifier === company)) ticket.summary = payloads.ticket;
    server = await startServer(target);
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => console.warn('page error:', e.message));
    await signInFirstAdmin(page, server, PASSWORD);

    const call = (method: 'POST' | 'PUT' | 'PATCH', path: string, data: unknown) => api(page.request, method, path, data);
    tenantId = (await call('POST', '/api/tenants', { name: payloads.tenant, microsoftTenantId: fx.microsoftTenantId, primaryDomain: fx.domain, connectwiseCompanyId: company })).id;
    await call('PUT', `/api/tenants/${tenantId}/connections/connectwise`, { site: 'na.myconnectwise.example', ...CW_KEYS, baseUrl: cw.apiUrl, defaults: { boardIds: [] } });
    const connection = { clientId: fx.clientId, authMethod: 'secret', clientSecret: fx.clientSecret, cloud: 'custom', loginBaseUrl: fx.entra.url, graphBaseUrl: fx.graph.url };
    await call('PUT', `/api/tenants/${tenantId}/connections/teams`, connection);
    await call('POST', `/api/tenants/${tenantId}/teams/sync`, {});
    const site = await call('POST', `/api/tenants/${tenantId}/sites`, { name: payloads.site });
    const number = await call('POST', `/api/tenants/${tenantId}/numbers`, { number: '+14155550123', kind: 'direct_routing', siteId: site.id });
    // Set by an edit, so the audit log holds them too (number.updated records before and after).
    await call('PATCH', `/api/tenants/${tenantId}/numbers/${number.id}`, { notes: payloads.notes, tags: [payloads.tag] });
    await call('PUT', '/api/me/preferences/numbers.columns', { value: ['status', 'kind', 'assignee', 'site', 'tags', 'notes'] });
    await call('POST', '/api/operators', { email: 'xss.operator@msp.example', displayName: payloads.operator, role: 'viewer', tenantIds: [] });
    await call('POST', `/api/tenants/${tenantId}/voice-profiles`, { name: payloads.profile, numberSource: null, policies: {} });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
    await fx?.close();
    await cw?.close();
  });

  it('the page is served with a Content-Security-Policy that allows no inline script', async () => {
    const response = await fetch(`${server.url}/tenants`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/script-src-attr 'none'/);
    expect(csp).toMatch(/object-src 'none'/);
  });

  it('control: in this browser context an injected payload does run, so the checks below can fail', async () => {
    await page.goto(`${server.url}/profile`);
    await page.evaluate((html) => document.body.insertAdjacentHTML('beforeend', html), IMG);
    await expect.poll(() => page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBe(1);
    await page.reload();
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
  });

  it('tenant name (tenant list and tenant header)', async () => {
    await page.goto(`${server.url}/tenants`);
    await expectInert(payloads.tenant, 'tenant list');
    await page.goto(`${server.url}/tenants/${tenantId}`);
    await expectInert(payloads.tenant, 'tenant overview');
  });

  it('site name (sites page)', async () => {
    await page.goto(`${server.url}/tenants/${tenantId}/sites`);
    await expectInert(payloads.site, 'sites');
  });

  it('number notes, tags and site (numbers page)', async () => {
    await page.goto(`${server.url}/tenants/${tenantId}/numbers`);
    await expectInert(payloads.notes, 'numbers: notes');
    await expectInert(payloads.tag, 'numbers: tags');
    await expectInert(payloads.site, 'numbers: site');
    await screenshot(page, `${target.name}-xss-numbers`);
  });

  it('operator name (operators page)', async () => {
    await page.goto(`${server.url}/admin/operators`);
    await expectInert(payloads.operator, 'operators');
  });

  it('voice profile name (profiles page)', async () => {
    await page.goto(`${server.url}/tenants/${tenantId}/profiles`);
    await expectInert(payloads.profile, 'profiles');
  });

  it('Teams user display name from Graph (user search and voice panel)', async () => {
    await page.goto(`${server.url}/tenants/${tenantId}/voice`);
    await page.getByLabel('Find a user').fill(teamsUpn);
    await page.getByTestId('user-result').filter({ hasText: teamsUpn }).waitFor();
    await expectInert(payloads.teamsUser, 'user search');
    await page.getByTestId('user-result').filter({ hasText: teamsUpn }).click();
    await expectInert(payloads.teamsUser, 'voice panel');
  });

  it('ConnectWise ticket summaries (ticket picker on the voice panel)', async () => {
    await page.goto(`${server.url}/tenants/${tenantId}/voice`);
    await page.getByLabel('Find a user').fill(teamsUpn);
    await page.getByTestId('user-result').filter({ hasText: teamsUpn }).click();
    await page.getByTestId('ticket-picker').getByRole('button').first().waitFor();
    await expectInert(payloads.ticket, 'ticket picker');
    await page.getByTestId('ticket-picker').getByRole('button').first().click();
    await expectInert(payloads.ticket, 'chosen ticket');
  });

  it('audit entries (actions on all of the above, in their before/after details)', async () => {
    await page.goto(`${server.url}/audit`);
    await page.getByTestId('audit-row').first().waitFor();
    for (const text of [payloads.tenant, payloads.site, payloads.notes, payloads.operator, payloads.profile]) await expectInert(text, 'audit log', { hidden: true });
    // Opening the details shows them as text.
    // Newest first: the operator created above comes before the first admin.
    await page.getByTestId('audit-row').filter({ hasText: 'operator.created' }).first().getByText('Details').click();
    await expectInert(payloads.operator, 'audit details');
    await screenshot(page, `${target.name}-xss-audit`);
  });
});
