import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

type Schema = { type?: string; required?: string[]; anyOf?: Schema[]; oneOf?: Schema[] };
type Operation = { requestBody?: { required?: boolean; content: Record<string, { schema?: Schema }> } };

/** A body whose every field may be left out: an action route a person calls with no body at all. */
function bodyIsOptional(op: Operation): boolean {
  if (!op.requestBody) return true;
  const json = op.requestBody.content['application/json']?.schema;
  if (!json) return false;
  return json.type === 'object' && !(json.required?.length);
}

/**
 * Every write route whose body is optional (revert, sync, test connection, retry, cancel, …), taken
 * from the OpenAPI document so a new route is covered without a list to keep, accepts a request
 * with no body — and with an empty JSON body — instead of "body: expected object, received null".
 */
describe.each(dbTargets())('action routes without a body on %s', (target) => {
  let t: TestApp;
  let doc: { paths: Record<string, Record<string, Operation>> };
  beforeAll(async () => {
    t = await startTestApp(target);
    doc = (await t.client().get('/api/docs/json')).body;
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers each one without a body-validation error', async () => {
    let admin: ApiClient = (await t.signedInAs('admin')).client;
    const tenant = (await admin.post('/api/tenants', { name: 'Empty bodies' })).body;
    const actions: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        if (!['post', 'put', 'patch'].includes(method) || !path.startsWith('/api/') || !bodyIsOptional(op)) continue;
        actions.push(`${method.toUpperCase()} ${path}`);
      }
    }
    // The revert of the issue is among them, and so are the other kinds of action.
    expect(actions).toEqual(expect.arrayContaining(['POST /api/tenants/{tenantId}/voice-changes/{changeId}/revert', 'POST /api/tenants/{tenantId}/connections/teams/test', 'POST /api/tenants/{tenantId}/bulk-assignments/{jobId}/cancel']));
    const problems: string[] = [];
    for (const action of actions) {
      const [method, template] = action.split(' ') as [string, string];
      const path = template.replace('{tenantId}', tenant.id).replace(/\{[^}]+\}/g, () => randomUUID());
      const variants: Array<Record<string, string>> = [{}, { 'content-type': 'application/json' }];
      for (const headers of variants) {
        let res = await admin.request(method, path, undefined, { headers });
        if (res.status === 401) {
          // The route signed the admin out (sign-out, sign out everywhere): carry on as a new one.
          admin = (await t.signedInAs('admin')).client;
          res = await admin.request(method, path, undefined, { headers });
        }
        const message = String(res.body?.error?.message ?? '');
        if (res.status === 400 && /expected object|received (null|undefined)/i.test(message)) problems.push(`${action} ${JSON.stringify(headers)}: ${message}`);
        if (res.status >= 500) problems.push(`${action} ${JSON.stringify(headers)}: ${res.status} ${message}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('a route that needs fields names them when called with no body', async () => {
    const { client } = await t.signedInAs('admin');
    const res = await client.request('POST', '/api/tenants', undefined);
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'name' })]));
  });
});
