import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json, startGraphFixture } from './graph-fixture.ts';
import type { GraphFixture } from './graph-fixture.ts';

let fx: GraphFixture;
beforeAll(async () => {
  fx = await startGraphFixture(20);
});
beforeEach(() => fx.graph.knobs.reset());
afterAll(() => fx.close());

describe('Graph simulator: throttling and fault knobs', () => {
  it('answers 429 TooManyRequests with Retry-After beyond the per-tenant rate', async () => {
    fx.graph.knobs.set({ throttleRps: 2 });
    const responses = await Promise.all(Array.from({ length: 8 }, () => fx.api('/v1.0/users?$top=1')));
    const throttled = responses.filter((response) => response.status === 429);
    const allowed = responses.filter((response) => response.status === 200).length;
    // A burst of 2, plus at most one refill if the burst straddles half a second on a slow machine.
    expect(allowed).toBeGreaterThanOrEqual(2);
    expect(allowed).toBeLessThanOrEqual(3);
    expect(throttled.length).toBe(8 - allowed);
    expect(Number(throttled[0]?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await json<{ error: { code: string } }>(throttled[0] as Response)).error.code).toBe('TooManyRequests');
    expect(fx.graph.knobs.stats.throttled).toBe(throttled.length);
  });

  it('sends the Retry-After the retryAfterSeconds knob asks for, on throttling and on injected 429s', async () => {
    // learn.microsoft.com/graph/throttling: 429 Too Many Requests with Retry-After in seconds;
    // waits of 41–315 s have been seen, so the connector must not assume a short one.
    fx.graph.knobs.set({ retryAfterSeconds: 315, failNext: { count: 1, status: 429 } });
    const injected = await fx.api('/v1.0/users?$top=1');
    expect(injected.status).toBe(429);
    expect(injected.headers.get('retry-after')).toBe('315');
    fx.graph.knobs.set({ throttleRps: 1 });
    const burst = await Promise.all(Array.from({ length: 4 }, () => fx.api('/v1.0/users?$top=1')));
    const throttled = burst.find((response) => response.status === 429);
    expect(throttled?.headers.get('retry-after')).toBe('315');
    expect((await json<{ error: { code: string } }>(throttled as Response)).error.code).toBe('TooManyRequests');
  });

  it('fails the next N calls with the chosen status, then answers normally', async () => {
    fx.graph.knobs.set({ failNext: { count: 2, status: 504 } });
    const first = await fx.api('/v1.0/users');
    expect(first.status).toBe(504);
    expect((await json<{ error: { code: string } }>(first)).error.code).toBe('GatewayTimeout');
    expect((await fx.api('/v1.0/users')).status).toBe(504);
    expect((await fx.api('/v1.0/users')).status).toBe(200);
  });

  it('hangs a call until the client gives up', async () => {
    fx.graph.knobs.set({ hangNext: 1 });
    await expect(fx.api('/v1.0/users', { signal: AbortSignal.timeout(300) })).rejects.toThrow(/abort|timeout/i);
    expect((await fx.api('/v1.0/users')).status).toBe(200);
  });

  it('resets the connection', async () => {
    fx.graph.knobs.set({ resetNext: 1 });
    await expect(fx.api('/v1.0/users')).rejects.toThrow(/fetch failed/);
    expect((await fx.api('/v1.0/users')).status).toBe(200);
  });

  it('sends truncated JSON', async () => {
    fx.graph.knobs.set({ malformedNext: 1 });
    const response = await fx.api('/v1.0/users');
    expect(response.status).toBe(200);
    await expect(response.json()).rejects.toThrow(SyntaxError);
  });

  it('adds latency', async () => {
    fx.graph.knobs.set({ latencyMs: 150 });
    const started = performance.now();
    await fx.api('/v1.0/users?$top=1');
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('is steerable over HTTP from another process through /_sim/knobs', async () => {
    const set = await fetch(`${fx.graph.url}/_sim/knobs`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failNext: { count: 1, status: 500 }, operationDelayMs: 50 }) });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ failNext: { count: 1, status: 500 }, operationDelayMs: 50 });
    expect((await fx.api('/v1.0/users')).status).toBe(500);
    expect((await fetch(`${fx.graph.url}/_sim/knobs`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ bogus: 1 }) })).status).toBe(400);
    const stats = await json(await fetch(`${fx.graph.url}/_sim/stats`));
    expect(stats.injectedFaults).toBeGreaterThanOrEqual(1);
    await fetch(`${fx.graph.url}/_sim/knobs/reset`, { method: 'POST' });
    expect((await fx.api('/v1.0/users')).status).toBe(200);
  });
});
