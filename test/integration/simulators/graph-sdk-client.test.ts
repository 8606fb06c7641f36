import { Client, PageIterator } from '@microsoft/microsoft-graph-client';
import type { PageCollection } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphFixture } from './graph-fixture.ts';
import type { GraphFixture } from './graph-fixture.ts';

// The official Graph JavaScript SDK, pointed at the simulator, must work unchanged: the proof
// that paths, paging and error shapes match the real service.

let fx: GraphFixture;
let client: Client;
const previousTlsSetting = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
beforeAll(async () => {
  // The SDK sends the token over https only; the simulator's certificate is self-signed.
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  fx = await startGraphFixture(230, {}, true);
  client = Client.init({
    authProvider: (done) => done(null, fx.token),
    baseUrl: `${fx.graph.url}/`,
    defaultVersion: 'v1.0',
    // The SDK only attaches the token to Graph hosts, or to hosts listed here.
    customHosts: new Set([new URL(fx.graph.url).hostname]),
  });
});
afterAll(async () => {
  await fx.close();
  if (previousTlsSetting === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previousTlsSetting;
});

describe('Graph simulator with @microsoft/microsoft-graph-client', () => {
  it('lists users and pages through all of them with PageIterator', async () => {
    const first = (await client.api('/users').select(['id', 'displayName', 'userPrincipalName']).top(50).get()) as PageCollection;
    expect(first.value).toHaveLength(50);
    expect(first['@odata.nextLink']).toBeTruthy();
    const seen: string[] = [];
    const iterator = new PageIterator(client, first, (user: { id: string }) => {
      seen.push(user.id);
      return true;
    });
    await iterator.iterate();
    expect(seen).toHaveLength(230);
    expect(new Set(seen).size).toBe(230);
  });

  it('surfaces Graph errors as GraphError with status and code', async () => {
    await expect(client.api('/users/00000000-0000-4000-8000-000000000000').get()).rejects.toMatchObject({ statusCode: 404, code: 'Request_ResourceNotFound' });
  });

  it('pages numberAssignments with .top() and .skip(), as "List numberAssignments" documents, with no nextLink', async () => {
    const all = [...fx.seeded.tenant.numbers.keys()];
    const seen: string[] = [];
    for (let skip = 0; ; skip += 100) {
      const page = (await client.api('/admin/teams/telephoneNumberManagement/numberAssignments').top(100).skip(skip).get()) as PageCollection;
      expect(page['@odata.nextLink']).toBeUndefined();
      seen.push(...page.value.map((n: { telephoneNumber: string }) => n.telephoneNumber));
      if (page.value.length < 100) break;
    }
    expect(seen).toEqual(all);
    await expect(client.api('/admin/teams/telephoneNumberManagement/numberAssignments').top(1001).get()).rejects.toMatchObject({ statusCode: 400, code: 'BadRequest' });
  });

  it('reads Teams user configurations through the SDK', async () => {
    const user = fx.seeded.byProfile.voiceDirectRouting[0];
    const config = (await client.api(`/admin/teams/userConfigurations/${user?.id}`).get()) as { featureTypes: string[] };
    expect(config.featureTypes).toContain('PhoneSystem');
  });
});
