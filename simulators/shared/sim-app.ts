import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createKnobs, validateKnobPatch } from './knobs.ts';
import type { KnobSettings, Knobs } from './knobs.ts';
import { createSelfSignedCertificate } from './self-signed-cert.ts';
import { createThrottle } from './token-bucket.ts';

export interface TlsOption {
  key: string;
  cert: string;
}

export interface SimulatorBaseOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** true: serve HTTPS with a self-signed certificate made at start; or give key + cert PEMs. */
  tls?: boolean | TlsOption;
  knobs?: Partial<KnobSettings>;
}

/** What each simulator tells the shared fault layer about its vendor's wire format. */
export interface VendorAdapter {
  /** Key for the per-tenant throttle bucket (tenant id, company id, PBX). */
  throttleKey(request: FastifyRequest): string;
  /** Sends the vendor's error body for an injected fault, a throttle (429) or a framework error. */
  sendError(reply: FastifyReply, status: number, reason: 'fault' | 'throttle' | 'not-found' | 'bad-request', detail: { retryAfterSeconds?: number; message?: string }): FastifyReply;
}

export interface SimulatorApp {
  app: FastifyInstance;
  knobs: Knobs;
  tls: TlsOption | null;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A Fastify instance with form parsing, the knobs, the fault hook and the /_sim control endpoints. */
export function createSimulatorApp(options: SimulatorBaseOptions, adapter: VendorAdapter): SimulatorApp {
  const tls = resolveTls(options.tls);
  const throttle = createThrottle(options.knobs?.throttleRps ?? null);
  const knobs = createKnobs(options.knobs, (rps) => throttle.setRate(rps));
  // forceCloseConnections: close() must also end sockets a "hang" knob left open.
  const app = Fastify({ logger: false, forceCloseConnections: true, ...(tls ? { https: tls } : {}) }) as unknown as FastifyInstance;

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addContentTypeParser(['application/json-patch+json', 'application/merge-patch+json'], { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/_sim/')) return;
    knobs.stats.requests += 1;
    // faultMatch aims latency and faults at one kind of call (e.g. only the number order); others pass untouched.
    if (knobs.faultMatch !== null && !`${request.method} ${request.url}`.includes(knobs.faultMatch)) return throttled(request, reply);
    const delay = knobs.latencyMs + (knobs.jitterMs > 0 ? Math.random() * knobs.jitterMs : 0);
    if (delay > 0) await sleep(delay);
    if (knobs.hangNext > 0) {
      knobs.hangNext -= 1;
      knobs.stats.injectedFaults += 1;
      reply.hijack(); // never answered: the socket stays open until the client gives up or close()
      return reply;
    }
    if (knobs.resetNext > 0) {
      knobs.resetNext -= 1;
      knobs.stats.injectedFaults += 1;
      reply.hijack();
      const socket = request.raw.socket;
      if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
      else socket.destroy();
      return reply;
    }
    if (knobs.malformedNext > 0) {
      knobs.malformedNext -= 1;
      knobs.stats.injectedFaults += 1;
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      reply.raw.end('{"value":[{"id":"');
      return reply;
    }
    if (knobs.failNext.count > 0) {
      knobs.failNext.count -= 1;
      knobs.stats.injectedFaults += 1;
      return adapter.sendError(reply, knobs.failNext.status, 'fault', { retryAfterSeconds: knobs.failNext.status === 503 || knobs.failNext.status === 429 ? (knobs.retryAfterSeconds ?? 1) : undefined });
    }
    return throttled(request, reply);
  });

  function throttled(request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
    const wait = throttle.take(adapter.throttleKey(request));
    if (wait > 0) {
      knobs.stats.throttled += 1;
      return adapter.sendError(reply, 429, 'throttle', { retryAfterSeconds: knobs.retryAfterSeconds ?? wait });
    }
    return undefined;
  }

  app.get('/_sim/knobs', async () => knobs.snapshot());
  const setKnobs = async (request: FastifyRequest, reply: FastifyReply) => {
    const problem = validateKnobPatch(request.body);
    if (problem) return reply.code(400).send({ error: problem });
    knobs.set(request.body as Partial<KnobSettings>);
    return knobs.snapshot();
  };
  app.patch('/_sim/knobs', setKnobs);
  app.post('/_sim/knobs', setKnobs);
  app.post('/_sim/knobs/reset', async () => {
    knobs.reset();
    return knobs.snapshot();
  });
  app.get('/_sim/stats', async () => ({ ...knobs.stats }));

  app.setNotFoundHandler((_request, reply) => adapter.sendError(reply, 404, 'not-found', {}));
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return adapter.sendError(reply, status, status === 500 ? 'fault' : 'bad-request', { message: error.message });
  });

  return { app, knobs, tls };
}

function resolveTls(option: SimulatorBaseOptions['tls']): TlsOption | null {
  if (!option) return null;
  if (option === true) {
    const generated = createSelfSignedCertificate({ commonName: 'localhost' });
    return { key: generated.keyPem, cert: generated.certPem };
  }
  return option;
}

/** Starts listening and returns the base URL (no trailing slash). */
export async function listen(sim: SimulatorApp, options: SimulatorBaseOptions): Promise<string> {
  const host = options.host ?? '127.0.0.1';
  await sim.app.listen({ port: options.port ?? 0, host });
  const address = sim.app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return `${sim.tls ? 'https' : 'http'}://${host}:${port}`;
}

/** Base URL the client used, so absolute links (nextLink, Location, issuer) point back where it came from. */
export function requestBaseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}
