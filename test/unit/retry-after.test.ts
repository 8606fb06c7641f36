import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asBackgroundJob } from '../../src/connectors/shared/background.ts';
import { RateGate, type Clock } from '../../src/connectors/shared/rate-gate.ts';
import { resilientFetch } from '../../src/connectors/shared/resilient-fetch.ts';

/**
 * Retry-After is honoured whole in background work, for every connector that does not choose its
 * own limit (3CX, ConnectWise): Graph has been seen asking for 41–315 s (learn.microsoft.com/graph/throttling),
 * and RFC 9110 §10.2.3 makes Retry-After the time the client should wait. A request a person is
 * waiting on keeps the short cut (at most maxDelayMs) so nobody waits for minutes.
 */
describe('Retry-After in the background and in front of a person', () => {
  let server: Server;
  let url: string;
  let answered = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      answered += 1;
      if (answered % 2 === 1) {
        res.writeHead(429, { 'retry-after': '120' });
        res.end('{"code":"TooManyRequests"}');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** A clock whose sleeps pass at once but are counted, so minutes of waiting take no time. */
  function countingClock(): Clock & { slept: number } {
    let offset = 0;
    const clock = {
      slept: 0,
      now: () => Date.now() + offset,
      sleep: async (ms: number) => {
        clock.slept += ms;
        offset += ms;
      },
    };
    return clock;
  }
  const policy = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 30_000, timeoutMs: 5_000 };

  it('a background job waits the whole 120 s the server asked for, then succeeds', async () => {
    const clock = countingClock();
    const gate = new RateGate(4, clock);
    const answer = await asBackgroundJob(() => resilientFetch(url, { method: 'GET' }, { gate, policy }));
    expect(answer.status).toBe(200);
    expect(clock.slept).toBeGreaterThanOrEqual(120_000);
  });

  it('a request a person waits on is not held for minutes: the wait is cut to maxDelayMs', async () => {
    const clock = countingClock();
    const gate = new RateGate(4, clock);
    const answer = await resilientFetch(url, { method: 'GET' }, { gate, policy });
    expect(answer.status).toBe(200);
    expect(clock.slept).toBeLessThanOrEqual(30_000);
    expect(clock.slept).toBeGreaterThan(0);
  });
});
