import { ThreeCxError } from '../../connectors/threecx/errors.ts';
import type { PbxSystemStatus } from '../../connectors/threecx/schemas.ts';
import type { Actor, AppDeps } from '../kernel/deps.ts';
import { loadTenant } from '../tenants/tenants.ts';
import { threeCxApiFor } from './connection.ts';

/**
 * The tenant's PBX at a glance: its version and what it holds. The version and the PBX's own
 * totals come from SystemStatus; extensions, trunks and DIDs are counted with OData `$count`, so
 * the figures match the lists on the other tabs. A PBX whose SystemStatus this sign-in may not
 * read still gets its counts, with the reason the version is missing.
 */
export async function threeCxSystem(deps: AppDeps, actor: Actor, tenantId: string) {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  const api = await threeCxApiFor(deps, tenant);
  let status: PbxSystemStatus | null = null;
  let statusProblem: string | null = null;
  try {
    status = await api.systemStatus();
  } catch (error) {
    if (!(error instanceof ThreeCxError) || !['forbidden', 'not_found', 'not_supported'].includes(error.reason)) throw error;
    statusProblem = `3CX did not give its version to this sign-in: ${error.message}`;
  }
  const [extensions, trunks, dids] = [await api.count('Users'), await api.count('Trunks'), await api.count('DidNumbers')];
  return {
    version: status?.Version ?? null,
    fqdn: status?.FQDN ?? null,
    activated: status?.Activated ?? null,
    statusProblem,
    counts: {
      extensions,
      trunks,
      dids,
      extensionsRegistered: status?.ExtensionsRegistered ?? null,
      trunksRegistered: status?.TrunksRegistered ?? null,
      callsActive: status?.CallsActive ?? null,
      maxSimultaneousCalls: status?.MaxSimCalls ?? null,
    },
  };
}
