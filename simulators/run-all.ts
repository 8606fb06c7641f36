// `npm run simulators`: the four simulators standalone, seeded with the demo tenant.
// Ports: --graph-port / GRAPH_PORT (4010), --entra-port / ENTRA_PORT (4011),
// --connectwise-port / CONNECTWISE_PORT (4012), --threecx-port / THREECX_PORT (4013);
// --host / SIMULATORS_HOST (127.0.0.1); --tls=connectwise,graph / SIMULATORS_TLS for HTTPS;
// --redirect-uri=URL (repeatable) / ENTRA_REDIRECT_URIS (comma-separated) for the demo app.
import { DEMO, startAllSimulators } from './index.ts';

type Name = 'graph' | 'entra' | 'connectwise' | 'threecx';
const NAMES: Name[] = ['graph', 'entra', 'connectwise', 'threecx'];
const DEFAULT_PORTS: Record<Name, number> = { graph: 4010, entra: 4011, connectwise: 4012, threecx: 4013 };

function argument(name: string): string[] {
  const values: string[] = [];
  const args = process.argv.slice(2);
  args.forEach((arg, index) => {
    if (arg === `--${name}` && args[index + 1] !== undefined) values.push(args[index + 1] as string);
    else if (arg.startsWith(`--${name}=`)) values.push(arg.slice(name.length + 3));
  });
  return values;
}

function port(name: Name): number {
  const raw = argument(`${name}-port`)[0] ?? process.env[`${name.toUpperCase()}_PORT`];
  if (raw === undefined) return DEFAULT_PORTS[name];
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`invalid port for ${name}: ${raw}`);
  return value;
}

const tlsList = (argument('tls')[0] ?? process.env.SIMULATORS_TLS ?? '').split(',').map((item) => item.trim()).filter(Boolean);
const unknownTls = tlsList.filter((item) => !NAMES.includes(item as Name));
if (unknownTls.length > 0) throw new Error(`--tls names unknown simulators: ${unknownTls.join(', ')}`);

const sims = await startAllSimulators({
  host: argument('host')[0] ?? process.env.SIMULATORS_HOST ?? '127.0.0.1',
  ports: Object.fromEntries(NAMES.map((name) => [name, port(name)])),
  tls: Object.fromEntries(NAMES.map((name) => [name, tlsList.includes(name)])),
  redirectUris: [...argument('redirect-uri'), ...(process.env.ENTRA_REDIRECT_URIS ?? '').split(',').filter(Boolean)],
});

console.log(`UCR Manager simulators (demo data, in memory; knobs at <url>/_sim/knobs)

  Microsoft Graph   ${sims.graph.url}/v1.0   (and /beta)
  Entra ID          ${sims.entra.url}/${DEMO.domain}/v2.0/.well-known/openid-configuration
                    token: ${sims.entra.url}/${DEMO.tenantId}/oauth2/v2.0/token
  ConnectWise       ${sims.connectwise.apiUrl}
  3CX               ${sims.threecx.url}/xapi/v1/

Demo credentials
  Entra tenant      ${DEMO.domain}  (${DEMO.tenantId})
  App registration  client id ${DEMO.clientId} / secret ${DEMO.clientSecret}  (all Teams Phone Graph permissions)
  Sign-in users     ${DEMO.operators.map((operator) => operator.userPrincipalName).join(', ')}  (pick one on the sign-in page, or login_hint)
  Redirect URIs     ${sims.entra.state.findTenant(DEMO.tenantId)?.apps.get(DEMO.clientId)?.redirectUris.join(', ')}
  Teams users       ${sims.graph.state.tenants.get(DEMO.tenantId)?.users.size} in ${DEMO.domain}
  ConnectWise       company ${DEMO.connectwise.companyId}, public key ${DEMO.connectwise.publicKey}, private key ${DEMO.connectwise.privateKey}, any clientId (e.g. ${DEMO.connectwise.clientId})
                    members jdoe (Head Office), asmith and bwayne (Remote Office; bwayne's default role is not valid there)
  3CX               API client ${DEMO.threecx.clientId} / ${DEMO.threecx.clientSecret}; admin ${DEMO.threecx.admin} / ${DEMO.threecx.adminPassword}; admin ${DEMO.threecx.admin2fa} / ${DEMO.threecx.adminPassword} with 2FA code ${DEMO.threecx.admin2faCode}
`);

const stop = async () => {
  await sims.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
