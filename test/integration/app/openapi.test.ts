import { compileErrors, validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

type Schema = { type?: string | string[]; const?: unknown; properties?: Record<string, Schema>; items?: Schema; additionalProperties?: Schema | boolean; anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[] };
type Operation = {
  summary?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: { content: Record<string, { schema?: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema?: Schema }> }>;
};
type Document = {
  openapi: string;
  security: Array<Record<string, string[]>>;
  components: { securitySchemes: Record<string, { type: string; scheme?: string; in?: string; name?: string }> };
  paths: Record<string, Record<string, Operation>>;
};

/**
 * Values the API hands out exactly once, on purpose, to the person who asked for them: the
 * TOTP key to enrol, a new API token, and a temporary password an admin must pass on. Anything
 * else with a secret-sounding name in a response is a leak.
 */
const shownOnce = new Set(['POST /api/me/mfa/totp secret', 'POST /api/me/tokens token', 'POST /api/operators temporaryPassword', 'POST /api/operators/{id}/reset-password temporaryPassword']);
const secretName = /password|secret|private.?key|hash|cipher|pfx|passphrase|api.?key|credential|^token$|^key$/i;
/** Facts about a secret, not the secret: when the Teams client secret expires (a date). */
const aboutASecret = new Set(['clientSecretExpiresOn']);

/** Every property of a schema, with its dotted path, through arrays, maps and unions. */
function* properties(schema: Schema | undefined, path = ''): Generator<{ name: string; path: string; schema: Schema }> {
  if (!schema || typeof schema !== 'object') return;
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    yield { name, path: `${path}.${name}`, schema: child };
    yield* properties(child, `${path}.${name}`);
  }
  if (schema.items) yield* properties(schema.items, path);
  if (typeof schema.additionalProperties === 'object') yield* properties(schema.additionalProperties, path);
  for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) yield* properties(branch, path);
}

const isBoolean = (s: Schema) => s.type === 'boolean' || typeof s.const === 'boolean';

describe.each(dbTargets())('OpenAPI document on %s', (target) => {
  let t: TestApp;
  let doc: Document;

  beforeAll(async () => {
    t = await startTestApp(target);
    const res = await fetch(`${t.url}/api/docs/json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as Document;
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
  });

  const apiRoutes = () => t.app.registeredRoutes.filter((r) => r.url.startsWith('/api/') && !r.url.startsWith('/api/docs'));
  const operation = (method: string, url: string) => doc.paths[url.replace(/:([A-Za-z]+)/g, '{$1}')]?.[method.toLowerCase()];

  it('is a valid OpenAPI 3 document', async () => {
    expect(doc.openapi).toMatch(/^3\./);
    // validate() dereferences in place; give it a copy so the other checks see the document as served.
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
  });

  it('documents every registered /api route with a summary, a tag, its path parameters and a success response', () => {
    const routes = apiRoutes();
    expect(routes.length).toBeGreaterThan(60);
    const problems: string[] = [];
    for (const { method, url } of routes) {
      const key = `${method} ${url}`;
      const op = operation(method, url);
      if (!op) {
        problems.push(`${key}: missing`);
        continue;
      }
      if (!op.summary?.trim()) problems.push(`${key}: no summary`);
      if (!op.tags?.length) problems.push(`${key}: no tag`);
      for (const param of url.match(/:([A-Za-z]+)/g) ?? []) {
        if (!op.parameters?.some((p) => p.in === 'path' && p.name === param.slice(1))) problems.push(`${key}: path parameter ${param} undocumented`);
      }
      const success = Object.entries(op.responses).filter(([code]) => /^[23]/.test(code));
      if (success.length === 0) problems.push(`${key}: no success response`);
      // A JSON answer must say what it contains; files and redirects say their media type or nothing.
      for (const [code, response] of success) {
        for (const [type, media] of Object.entries(response.content ?? {})) {
          if (!media.schema) problems.push(`${key}: ${code} ${type} has no schema`);
        }
        if (code.startsWith('2') && !response.content && method !== 'DELETE') problems.push(`${key}: ${code} has no content`);
      }
      if (!op.responses['4XX']?.content?.['application/json']?.schema?.properties?.error) problems.push(`${key}: error response undocumented`);
      if (op.requestBody && Object.values(op.requestBody.content).some((m) => !m.schema)) problems.push(`${key}: request body without schema`);
    }
    expect(problems).toEqual([]);
  });

  it('declares both credentials (API token bearer and session cookie) and which routes take which', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.session).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'ucr_session' });
    expect(doc.security).toEqual([{ bearer: [] }, { session: [] }]);
    for (const { method, url, access } of apiRoutes()) {
      const security = operation(method, url)?.security;
      if (access === 'public') expect(security, `${method} ${url}`).toEqual([]);
      else expect(security === undefined || JSON.stringify(security) === JSON.stringify([{ session: [] }]), `${method} ${url}: ${JSON.stringify(security)}`).toBe(true);
    }
    // Minting and revoking API tokens needs a browser session; the document says so.
    expect(operation('POST', '/api/me/tokens')?.security).toEqual([{ session: [] }]);
    expect(operation('GET', '/api/tenants')?.security).toBeUndefined();
  });

  it('no response schema carries a secret, except the values shown once to whoever asked for them', () => {
    const leaks: string[] = [];
    let shownOnceSeen = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const response of Object.values(op.responses)) {
          for (const media of Object.values(response.content ?? {})) {
            for (const { name, path: at, schema } of properties(media.schema)) {
              if (!secretName.test(name) || isBoolean(schema) || aboutASecret.has(name)) continue;
              if (shownOnce.has(`${method.toUpperCase()} ${path} ${name}`)) {
                shownOnceSeen += 1;
                continue;
              }
              leaks.push(`${method.toUpperCase()} ${path} ${at}`);
            }
          }
        }
      }
    }
    expect(leaks).toEqual([]);
    // The allowlist is not stale: each shown-once value is still where it is expected.
    expect(shownOnceSeen).toBe(shownOnce.size);
  });

  it('serves the reference UI at /api/docs', async () => {
    const res = await fetch(`${t.url}/api/docs/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
  });
});
