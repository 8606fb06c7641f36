import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ThreeCxError } from '../../../src/connectors/threecx/errors.ts';
import { ThreeCxApi } from '../../../src/connectors/threecx/xapi.ts';
import { MemoryTokenStore } from '../../../src/connectors/threecx/auth.ts';
import { createLogger } from '../../../src/app/logging.ts';
import { seedThreeCx, startThreeCxSimulator, type RunningThreeCxSimulator } from '../../../simulators/index.ts';

/** The 3CX connector against the 3CX simulator (no database involved). */
describe('3CX XAPI connector', () => {
  let pbx: RunningThreeCxSimulator;
  const log = createLogger('silent');
  const apiClient = { mode: 'api_client' as const, clientId: 'ucr-api', clientSecret: 'demo-3cx-secret' };
  const fast = { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 2000, timeoutMs: 1500 };
  let api: ThreeCxApi;

  beforeAll(async () => {
    pbx = await startThreeCxSimulator({ port: 0, state: seedThreeCx({ userCount: 1234, adminSecurityCode: '246810' }) });
    api = new ThreeCxApi({ baseUrl: pbx.url, auth: apiClient, log, retry: fast });
  });
  beforeEach(() => pbx.knobs.reset());
  afterAll(() => pbx.close());

  it('reads every one of 1,234 extensions through $top/$skip paging, and pages with a count', async () => {
    const paged = new ThreeCxApi({ baseUrl: pbx.url, auth: apiClient, log, pageSize: 300 });
    const before = pbx.knobs.stats.requests;
    const all = await paged.allUsers();
    expect(all).toHaveLength(1234);
    expect(new Set(all.map((u) => u.Id)).size).toBe(1234);
    // 5 pages of 300 (the last one short) plus one token request.
    expect(pbx.knobs.stats.requests - before).toBe(6);
    const page = await api.listUsers({ top: 25, skip: 50 });
    expect(page.total).toBe(1234);
    expect(page.users).toHaveLength(25);
    const one = all[7]!;
    const found = await api.listUsers({ search: one.EmailAddress!.toUpperCase(), top: 10, skip: 0 });
    expect(found.users.map((u) => u.Id)).toContain(one.Id);
    expect(found.total).toBeGreaterThanOrEqual(1);
    expect((await api.listUsers({ search: "o'brien", top: 10, skip: 0 })).total).toBe(0);
  });

  it('creates, updates and deletes an extension', async () => {
    const created = await api.createUser({ Number: '7001', FirstName: 'Ada', LastName: 'Lovelace', EmailAddress: 'ada@contoso.example', OutboundCallerID: '+442079461005' });
    expect(created).toMatchObject({ Number: '7001', DisplayName: 'Ada Lovelace' });
    await api.updateUser(created.Id, { Mobile: '+447900000001', FirstName: 'Augusta' });
    expect(await api.getUser(created.Id)).toMatchObject({ Mobile: '+447900000001', FirstName: 'Augusta' });
    await api.deleteUsers([created.Id]);
    await expect(api.getUser(created.Id)).rejects.toMatchObject({ reason: 'not_found', status: 404 });
  });

  it('a duplicate extension number is refused in plain words, and nothing changes', async () => {
    const count = pbx.state.users.length;
    const taken = pbx.state.users[0]!.Number;
    const error = await api.createUser({ Number: taken, FirstName: 'Dup' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThreeCxError);
    expect((error as ThreeCxError).message).toBe('Extension number is already in use on this PBX. Nothing was changed.');
    expect((error as ThreeCxError).status).toBe(400);
    expect(pbx.state.users.length).toBe(count);
    const bad = await api.updateUser(pbx.state.users[1]!.Id, { EmailAddress: 'not-an-email' }).catch((e: unknown) => e);
    expect((bad as ThreeCxError).message).toMatch(/^Email address is not a valid email address/);
  });

  it('creating a DID answers 405, surfaced as "not offered through its API"', async () => {
    const error = (await api.createDid('+442079469999', 1).catch((e: unknown) => e)) as ThreeCxError;
    expect(error.reason).toBe('not_supported');
    expect(error.message).toMatch(/405 Method Not Allowed/);
    expect(pbx.state.trunks.flatMap((t) => t.DidNumbers)).not.toContain('+442079469999');
  });

  it('lists trunks with their DIDs and updates the allowed fields', async () => {
    const trunks = await api.listTrunks();
    expect(trunks.map((t) => t.Id)).toEqual([1, 2]);
    const dids = await api.listDids();
    expect(dids.length).toBe(trunks.reduce((n, t) => n + (t.DidNumbers?.length ?? 0), 0));
    await api.updateTrunk(2, { SimultaneousCalls: 12 });
    expect((await api.getTrunk(2)).SimultaneousCalls).toBe(12);
  });

  it('signs in again when 3CX answers 401 (token revoked), once, and reuses the new token', async () => {
    const own = new ThreeCxApi({ baseUrl: pbx.url, auth: apiClient, log });
    await own.listUsers({ top: 1, skip: 0 });
    const issued = pbx.state.tokensIssued;
    const rejected = pbx.state.tokensRejected;
    pbx.state.accessTokens.clear(); // as if another sign-in of this API client had revoked it
    expect((await own.listUsers({ top: 1, skip: 0 })).users).toHaveLength(1);
    expect((await own.listUsers({ top: 1, skip: 0 })).users).toHaveLength(1);
    expect(pbx.state.tokensIssued).toBe(issued + 1);
    expect(pbx.state.tokensRejected).toBe(rejected + 1);
  });

  it('reads expires_in as seconds (3CX since 20.0.9) and trusts the JWT exp: renews shortly before the hour, not after 60 hours', async () => {
    // Source: 3cx/xapi-tutorial commit 1c6947c "expires_in is in seconds (according to OAuth) since 20.0.9".
    let now = Date.now();
    const wallClock = pbx.state.now;
    pbx.state.now = () => now;
    try {
      const clocked = new ThreeCxApi({ baseUrl: pbx.url, auth: apiClient, log, now: () => now });
      await clocked.listUsers({ top: 1, skip: 0 });
      const issued = pbx.state.tokensIssued;
      now += 30 * 60_000;
      await clocked.listUsers({ top: 1, skip: 0 });
      expect(pbx.state.tokensIssued).toBe(issued); // still fresh: reused
      now += 29.5 * 60_000; // 30 s before the hour 3CX gave
      await clocked.listUsers({ top: 1, skip: 0 });
      expect(pbx.state.tokensIssued).toBe(issued + 1); // renewed before it expired, without a 401
    } finally {
      pbx.state.now = wallClock;
    }
  });

  it('admin sign-in: asks for the 2FA code, then carries the session on its rotating refresh token sent as RefreshTokenCookie', async () => {
    const admin = { mode: 'admin' as const, username: 'admin', password: 'demo-3cx-admin' };
    const store = new MemoryTokenStore();
    const first = new ThreeCxApi({ baseUrl: pbx.url, auth: admin, log, tokenStore: store });
    await expect(first.listUsers({ top: 1, skip: 0 })).rejects.toMatchObject({ reason: 'two_factor_required', status: 409 });
    await expect(first.client.tokens.signInWithCode('000000')).rejects.toMatchObject({ reason: 'authentication_failed' });
    await first.client.tokens.signInWithCode('246810');
    const opened = (await store.read())!;
    expect(opened.refreshToken).toBeTruthy();
    expect((await first.listUsers({ top: 1, skip: 0 })).users).toHaveLength(1);
    // After a restart (no session in the store) the refresh token carries on, without a code:
    // the simulator takes it only as the RefreshTokenCookie cookie, as the 3CX web client sends it.
    const laterStore = new MemoryTokenStore();
    const later = new ThreeCxApi({ baseUrl: pbx.url, auth: { ...admin, refreshToken: opened.refreshToken! }, log, tokenStore: laterStore });
    expect((await later.listUsers({ top: 1, skip: 0 })).users).toHaveLength(1);
    const renewed = (await laterStore.read())!;
    expect(renewed.refreshToken).toBeTruthy();
    expect(renewed.refreshToken).not.toBe(opened.refreshToken); // rotated
    expect(pbx.state.refreshTokens.has(opened.refreshToken!)).toBe(false); // good once
    const wrong = new ThreeCxApi({ baseUrl: pbx.url, auth: { mode: 'api_client', clientId: 'ucr-api', clientSecret: 'nope' }, log });
    await expect(wrong.listUsers({ top: 1, skip: 0 })).rejects.toMatchObject({ reason: 'authentication_failed', message: expect.stringMatching(/refused the API client id or secret/) });
  });

  it('BatchDelete sends lower-case ids and returns the users 3CX kept (UserDeleteError), not "deleted"', async () => {
    const keep = await api.createUser({ Number: '7101', FirstName: 'Kept' });
    const gone = await api.createUser({ Number: '7102', FirstName: 'Gone' });
    pbx.state.undeletable.set('7101', 'The extension is a member of a queue');
    try {
      const refused = await api.deleteUsers([keep.Id, gone.Id]);
      expect(refused).toEqual([{ ExtensionNumber: '7101', Error: 'The extension is a member of a queue' }]);
      expect(pbx.state.users.some((u) => u.Id === keep.Id)).toBe(true);
      expect(pbx.state.users.some((u) => u.Id === gone.Id)).toBe(false);
    } finally {
      pbx.state.undeletable.clear();
      await api.deleteUsers([keep.Id]);
    }
  });

  it('an extension number cannot be changed on the PBX: the connector has no way to send it, and 3CX refuses it', async () => {
    const user = await api.createUser({ Number: '7201', FirstName: 'Fixed' });
    // The type has no Number; a caller forcing one gets 3CX's validation error.
    const error = (await api.updateUser(user.Id, { Number: '7202' } as never).catch((e: unknown) => e)) as ThreeCxError;
    expect(error.reason).toBe('validation');
    expect((await api.getUser(user.Id)).Number).toBe('7201');
    await api.deleteUsers([user.Id]);
  });

  it('DIDs carry the trunk number looked up from their TrunkId (a DidNumber has no TrunkNumber)', async () => {
    const dids = await api.listDids();
    const trunks = await api.listTrunks();
    expect(dids.length).toBeGreaterThan(0);
    for (const did of dids) expect(did.TrunkNumber).toBe(trunks.find((t) => t.Id === did.TrunkId)!.Number);
  });

  it('retries 503s and throttling (honouring Retry-After) and times out a hung call, then answers', async () => {
    pbx.knobs.set({ failNext: { count: 2, status: 503 } });
    expect((await api.listUsers({ top: 1, skip: 0 })).users).toHaveLength(1);
    pbx.knobs.set({ hangNext: 1 });
    expect((await api.listTrunks()).length).toBe(2);
    pbx.knobs.reset();
    pbx.knobs.set({ throttleRps: 5 });
    const results = await Promise.all(Array.from({ length: 15 }, () => api.listUsers({ top: 1, skip: 0 })));
    expect(results.every((r) => r.users.length === 1)).toBe(true);
    expect(pbx.knobs.stats.throttled).toBeGreaterThan(0);
    pbx.knobs.reset();
    pbx.knobs.set({ failNext: { count: 10, status: 500 } });
    await expect(api.listTrunks()).rejects.toMatchObject({ reason: 'unavailable', message: expect.stringMatching(/HTTP 500/) });
  });

  it('fault matrix: resets are retried; malformed JSON and a PBX that never answers fail in plain words; a refused write creates nothing', async () => {
    // Connection resets on a read: retried, the answer arrives.
    pbx.knobs.set({ resetNext: 2 });
    expect((await api.listUsers({ top: 1, skip: 0 })).users).toHaveLength(1);
    expect(pbx.knobs.stats.injectedFaults).toBe(2);
    // A garbled body is not parsed into nonsense: a plain error naming it.
    pbx.knobs.reset();
    pbx.knobs.set({ malformedNext: 1 });
    await expect(api.listTrunks()).rejects.toMatchObject({ reason: 'unexpected_answer', message: '3CX answered with something that is not JSON; try again.' });
    // Every call hangs past the client's timeout: "could not be reached", not a stack.
    pbx.knobs.reset();
    pbx.knobs.set({ latencyMs: 4000 });
    await expect(api.listTrunks()).rejects.toMatchObject({ reason: 'unavailable', message: expect.stringMatching(/^The PBX could not be reached: .*timed out/) });
    // A write the PBX keeps refusing with 500: a clear error, and no extension appears.
    pbx.knobs.reset();
    const before = pbx.state.users.length;
    pbx.knobs.set({ failNext: { count: 10, status: 500 } });
    await expect(api.createUser({ Number: '7999', FirstName: 'Fault', LastName: 'Matrix', EmailAddress: 'fault.matrix@contoso.example' })).rejects.toBeInstanceOf(ThreeCxError);
    pbx.knobs.reset();
    expect(pbx.state.users.length).toBe(before);
    expect(pbx.state.users.some((u) => u.Number === '7999')).toBe(false);
  });
});
