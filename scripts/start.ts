/**
 * `npm start`: the app, and — for the embedded demo (no DATABASE_URL, or UCR_DEMO=true) — the
 * built-in simulators of Microsoft Entra ID, Graph, ConnectWise and 3CX in the same process, so
 * the demo tenant "Contoso (demo)" works end to end with no cloud account. The app itself only
 * sees URLs (UCR_DEMO_*), exactly as it would see Microsoft's.
 */
import { enableCompileCache } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { AllSimulators } from '../simulators/index.ts';

// Node keeps the compiled modules on disk between starts: about a second less to ready (P4).
enableCompileCache();
const { DEMO, startAllSimulators } = await import('../simulators/index.ts');

const demoWanted = process.env.UCR_DEMO ? ['true', '1'].includes(process.env.UCR_DEMO) : !process.env.DATABASE_URL;

async function startSimulators(): Promise<AllSimulators> {
  const port = process.env.PORT ?? '3000';
  const redirectUris = [`http://localhost:${port}/api/auth/entra/callback`, `http://127.0.0.1:${port}/api/auth/entra/callback`];
  // UCR_DEMO_SIMULATOR_PORTS=random: free ports from the start (tests running side by side).
  if (process.env.UCR_DEMO_SIMULATOR_PORTS === 'random') return startAllSimulators({ host: '127.0.0.1', redirectUris });
  const fixed = { graph: 4010, entra: 4011, connectwise: 4012, threecx: 4013 };
  try {
    return await startAllSimulators({ host: '127.0.0.1', ports: fixed, redirectUris });
  } catch {
    // Another copy (npm run simulators, a second app) holds the usual ports: take free ones.
    return startAllSimulators({ host: '127.0.0.1', redirectUris });
  }
}

if (demoWanted && process.env.UCR_DEMO_SIMULATORS !== 'false') {
  const sims = await startSimulators();
  process.env.UCR_DEMO_GRAPH_URL ??= sims.graph.url;
  process.env.UCR_DEMO_LOGIN_URL ??= sims.entra.url;
  process.env.UCR_DEMO_CONNECTWISE_URL ??= sims.connectwise.url;
  process.env.UCR_DEMO_THREECX_URL ??= sims.threecx.url;
  // Teams PowerShell is simulated too (auto attendants, call queues, emergency locations, every
  // policy): the bridge runs simulators/teams-powershell/pwsh.mjs, which keeps its tenant in the
  // Graph simulator. UCR_DEMO_POWERSHELL=false runs the demo without a bridge.
  const simulatedPwsh = !process.env.UCR_PWSH_PATH && process.env.UCR_DEMO_POWERSHELL !== 'false';
  if (simulatedPwsh) {
    process.env.UCR_PWSH_PATH = fileURLToPath(new URL('../simulators/teams-powershell/pwsh.mjs', import.meta.url));
    process.env.FAKE_PWSH_GRAPH_URL ??= sims.graph.url;
  }
  if (!process.env.UCR_ENTRA_TENANT) {
    process.env.UCR_ENTRA_TENANT = DEMO.domain;
    process.env.UCR_ENTRA_CLIENT_ID = DEMO.clientId;
    process.env.UCR_ENTRA_CLIENT_SECRET = DEMO.clientSecret;
    process.env.UCR_ENTRA_AUTHORITY = sims.entra.url;
  }
  console.log(
    [
      'Demo mode: built-in simulators (not Microsoft, not ConnectWise, not 3CX) are serving the demo tenant:',
      `  Entra ID ${sims.entra.url}   Graph ${sims.graph.url}   ConnectWise ${sims.connectwise.url}   3CX ${sims.threecx.url}`,
      simulatedPwsh ? `  Teams PowerShell is SIMULATED (UCR_PWSH_PATH=${process.env.UCR_PWSH_PATH}): auto attendants, call queues and the rest come from the Graph simulator.` : '  No Teams PowerShell bridge (UCR_DEMO_POWERSHELL=false or UCR_PWSH_PATH set).',
      `  "Sign in with Microsoft" uses the simulated ${DEMO.domain} (e.g. ${DEMO.operators[0]!.userPrincipalName}); a first sign-in waits for an admin's approval.`,
    ].join('\n'),
  );
  const stop = () => void sims.close();
  process.once('exit', stop);
}

process.argv = [process.argv[0]!, process.argv[1]!, 'serve'];
await import('../src/cli/main.ts');
