import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO, startAllSimulators } from '../../../simulators/index.ts';
import { postForm } from './support.ts';

async function demoToken(entraUrl: string): Promise<string> {
  const response = await postForm(`${entraUrl}/${DEMO.domain}/oauth2/v2.0/token`, { grant_type: 'client_credentials', client_id: DEMO.clientId, client_secret: DEMO.clientSecret, scope: 'https://graph.microsoft.com/.default' });
  return ((await response.json()) as { access_token: string }).access_token;
}

describe('all simulators with the demo tenant', () => {
  it('starts in-process on random ports, wired together', async () => {
    const sims = await startAllSimulators();
    try {
      const token = await demoToken(sims.entra.url);
      const users = await fetch(`${sims.graph.url}/v1.0/admin/teams/userConfigurations?$top=999`, { headers: { authorization: `Bearer ${token}` } });
      // The demo's seeded accounts, and the three resource accounts of its auto attendant and two
      // call queues (simulators/graph/voice-apps-seed.ts).
      const accounts = ((await users.json()) as { value: unknown[] }).value;
      expect(accounts).toHaveLength(DEMO.teamsUsers + 3);
      const basic = Buffer.from(`${DEMO.connectwise.companyId}+${DEMO.connectwise.publicKey}:${DEMO.connectwise.privateKey}`).toString('base64');
      const roles = await fetch(`${sims.connectwise.apiUrl}/time/workRoles`, { headers: { authorization: `Basic ${basic}`, clientId: DEMO.connectwise.clientId } });
      expect(roles.status).toBe(200);
      const pbxToken = await postForm(`${sims.threecx.url}/connect/token`, { grant_type: 'client_credentials', client_id: DEMO.threecx.clientId, client_secret: DEMO.threecx.clientSecret });
      expect(pbxToken.status).toBe(200);
    } finally {
      await sims.close();
    }
  });

  it('runs standalone with `node simulators/run-all.ts`, printing URLs and demo credentials', async () => {
    const child = spawn(resolve('node_modules/.bin/node'), ['simulators/run-all.ts', '--graph-port', '0', '--entra-port=0', '--connectwise-port', '0', '--threecx-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let output = '';
      await new Promise<void>((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`no banner in time: ${output}`)), 20_000);
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('3CX               API client')) {
            clearTimeout(timer);
            done();
          }
        });
        child.once('exit', (code) => fail(new Error(`exited ${code}: ${output}`)));
      });
      expect(output).toContain(`client id ${DEMO.clientId} / secret ${DEMO.clientSecret}`);
      const entraUrl = /token: (http:\/\/127\.0\.0\.1:\d+)\//.exec(output)?.[1] ?? '';
      const graphUrl = /Microsoft Graph\s+(http:\/\/127\.0\.0\.1:\d+)\/v1\.0/.exec(output)?.[1] ?? '';
      const token = await demoToken(entraUrl);
      const response = await fetch(`${graphUrl}/v1.0/users?$top=1`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
