import { spawn } from 'node:child_process';
import { ValidationError } from '../../core/errors.ts';
import { TeamsError } from './errors.ts';
import type { TeamsPolicyType } from '../../core/policy-types.ts';

/**
 * Optional PowerShell bridge: Graph cannot list a tenant's policies, the Teams PowerShell
 * module can. It spawns `pwsh -NoProfile -NonInteractive` with a fixed script; every input
 * (tenant, app id, certificate, policy type) travels as JSON on stdin and is never put into
 * script text, so nothing a tenant or operator types can become PowerShell code.
 */
const cmdlets: Record<TeamsPolicyType, string> = {
  OnlineVoiceRoutingPolicy: 'Get-CsOnlineVoiceRoutingPolicy',
  OnlineAudioConferencingRoutingPolicy: 'Get-CsOnlineAudioConferencingRoutingPolicy',
  TeamsCallHoldPolicy: 'Get-CsTeamsCallHoldPolicy',
  TeamsAudioConferencingPolicy: 'Get-CsTeamsAudioConferencingPolicy',
  TeamsCallParkPolicy: 'Get-CsTeamsCallParkPolicy',
  CallingLineIdentity: 'Get-CsCallingLineIdentity',
  TeamsCallingPolicy: 'Get-CsTeamsCallingPolicy',
  TeamsEmergencyCallRoutingPolicy: 'Get-CsTeamsEmergencyCallRoutingPolicy',
  TeamsEmergencyCallingPolicy: 'Get-CsTeamsEmergencyCallingPolicy',
  TeamsMeetingPolicy: 'Get-CsTeamsMeetingPolicy',
  TeamsVoiceApplicationsPolicy: 'Get-CsTeamsVoiceApplicationsPolicy',
  OnlineVoicemailPolicy: 'Get-CsOnlineVoicemailPolicy',
  TenantDialPlan: 'Get-CsTenantDialPlan',
};

/**
 * The bridge runs only cmdlets on this list, each with only the parameters named here and of the
 * type given. Every call is checked against it before pwsh is started, and the script refuses any
 * cmdlet missing from the same list (written into its text from these constant names), so there is
 * no free-form command. `change` marks cmdlets that create or alter something in the tenant.
 * Parameter names follow learn.microsoft.com/powershell/module/microsoftteams/<cmdlet>.
 */
type ParameterType = 'string' | 'string[]' | 'int' | 'guid';
type CmdletRule = { kind: 'read' | 'change'; parameters: Record<string, ParameterType> };
const readAll: CmdletRule = { kind: 'read', parameters: {} };
export const ALLOWED_CMDLETS: Record<string, CmdletRule> = {
  ...Object.fromEntries(Object.values(cmdlets).map((name) => [name, readAll])),
  'Get-CsOnlineLisCivicAddress': readAll,
  'Get-CsOnlineLisLocation': readAll,
  // learn.microsoft.com/powershell/module/microsoftteams/new-csonlineliscivicaddress
  'New-CsOnlineLisCivicAddress': { kind: 'change', parameters: { CompanyName: 'string', CountryOrRegion: 'string', Description: 'string', HouseNumber: 'string', StreetName: 'string', City: 'string', StateOrProvince: 'string', PostalCode: 'string' } },
  // learn.microsoft.com/powershell/module/microsoftteams/new-csonlinelislocation
  'New-CsOnlineLisLocation': { kind: 'change', parameters: { CivicAddressId: 'guid', Location: 'string' } },
  // learn.microsoft.com/powershell/module/microsoftteams/get-csonlineapplicationinstance
  'Get-CsOnlineApplicationInstance': { kind: 'read', parameters: { Identity: 'string' } },
  // learn.microsoft.com/powershell/module/microsoftteams/get-csautoattendant (-First defaults to 100)
  'Get-CsAutoAttendant': { kind: 'read', parameters: { Identity: 'string', First: 'int', Skip: 'int' } },
  // learn.microsoft.com/powershell/module/microsoftteams/get-cscallqueue (-First defaults to 100)
  'Get-CsCallQueue': { kind: 'read', parameters: { Identity: 'string', First: 'int', Skip: 'int' } },
  // learn.microsoft.com/powershell/module/skype/new-csonlineapplicationinstance
  'New-CsOnlineApplicationInstance': { kind: 'change', parameters: { UserPrincipalName: 'string', ApplicationId: 'guid', DisplayName: 'string' } },
  // learn.microsoft.com/powershell/module/skype/new-csonlineapplicationinstanceassociation
  'New-CsOnlineApplicationInstanceAssociation': { kind: 'change', parameters: { Identities: 'string[]', ConfigurationId: 'string', ConfigurationType: 'string' } },
};

/** One cmdlet to run: its parameters are splatted; `select` keeps only these output properties. */
export type CmdletCall = { cmdlet: string; parameters?: Record<string, unknown>; select?: readonly string[] };

/** A cmdlet or parameter the bridge does not run: refused before anything starts. */
export class CmdletNotAllowedError extends ValidationError {
  override readonly code: string = 'cmdlet_not_allowed';
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PROPERTY = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)?$/;
function valueFits(type: ParameterType, value: unknown): boolean {
  if (type === 'string') return typeof value === 'string';
  if (type === 'guid') return typeof value === 'string' && GUID.test(value);
  if (type === 'int') return Number.isInteger(value);
  return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string');
}

/** Throws CmdletNotAllowedError unless every call is on the allow-list with permitted, well-typed parameters. */
export function checkCmdletCalls(calls: readonly CmdletCall[]): void {
  if (calls.length === 0) throw new CmdletNotAllowedError('No cmdlet to run.', [{ field: 'cmdlet', message: 'At least one cmdlet is needed.' }]);
  for (const call of calls) {
    const rule = Object.hasOwn(ALLOWED_CMDLETS, call.cmdlet) ? ALLOWED_CMDLETS[call.cmdlet] : undefined;
    if (!rule) throw new CmdletNotAllowedError(`The PowerShell bridge does not run ${call.cmdlet}: only the cmdlets on its allow-list run.`, [{ field: 'cmdlet', message: `${call.cmdlet} is not on the allow-list.` }]);
    for (const [name, value] of Object.entries(call.parameters ?? {})) {
      const type = Object.hasOwn(rule.parameters, name) ? rule.parameters[name] : undefined;
      if (!type) throw new CmdletNotAllowedError(`The PowerShell bridge does not pass -${name} to ${call.cmdlet}.`, [{ field: `parameters.${name}`, message: `-${name} is not permitted for ${call.cmdlet}.` }]);
      if (!valueFits(type, value)) throw new CmdletNotAllowedError(`-${name} of ${call.cmdlet} must be ${type === 'string[]' ? 'a list of text' : type === 'guid' ? 'a GUID' : type === 'int' ? 'a whole number' : 'text'}.`, [{ field: `parameters.${name}`, message: `Expected ${type}.` }]);
    }
    for (const property of call.select ?? []) if (!PROPERTY.test(property)) throw new CmdletNotAllowedError(`"${property}" is not a property name.`, [{ field: 'select', message: 'Property names are letters and digits.' }]);
  }
}

// The one script the bridge runs. Each call's cmdlet is invoked by name with `&` (a name, never
// parsed as code) and its parameters splatted from a hashtable built of the JSON request.
const RUNNER_SCRIPT = `
$ErrorActionPreference = 'Stop'
$request = [Console]::In.ReadToEnd() | ConvertFrom-Json
$allowed = @(${Object.keys(ALLOWED_CMDLETS).map((name) => `'${name}'`).join(', ')})
foreach ($call in $request.calls) {
  if ($allowed -notcontains $call.cmdlet) { [Console]::Error.WriteLine("UCR_CMDLET_NOT_ALLOWED $($call.cmdlet)"); exit 4 }
}
try { Import-Module MicrosoftTeams } catch { [Console]::Error.WriteLine("UCR_MODULE_MISSING $($_.Exception.Message)"); exit 3 }
$cert = [System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPem($request.certificatePem, $request.privateKeyPem)
Connect-MicrosoftTeams -Certificate $cert -ApplicationId $request.appId -TenantId $request.tenant | Out-Null
$results = New-Object System.Collections.ArrayList
foreach ($call in $request.calls) {
  $parameters = @{}
  if ($call.parameters) { foreach ($p in $call.parameters.PSObject.Properties) { $parameters[$p.Name] = $p.Value } }
  try { $output = @(& $call.cmdlet @parameters) }
  catch { [Console]::Error.WriteLine("UCR_CMDLET_FAILED $($call.cmdlet) | $($_.FullyQualifiedErrorId) | $($_.Exception.Message)"); exit 5 }
  if ($call.select) { $output = @($output | Select-Object -Property @($call.select)) }
  [void]$results.Add($output)
}
ConvertTo-Json -InputObject $results -Depth 8 -Compress -EnumsAsStrings
`;

/**
 * App-only sign-in succeeds without any admin role, but every *-Cs cmdlet then answers
 * "Access Denied." (FullyQualifiedErrorId Forbidden): the session's rights come from the Entra
 * directory role assigned to the app, carried in its token ("Application-based authentication in
 * Teams PowerShell Module", learn.microsoft.com/microsoftteams/teams-powershell-application-authentication:
 * "Assign Microsoft Entra roles to the application"; the error as reported in
 * MicrosoftDocs/office-docs-powershell issues #9929 and #10363).
 */
const ACCESS_DENIED = /access denied|FullyQualifiedErrorId\s*:\s*Forbidden|\|\s*Forbidden,/i;
const MISSING_ROLE =
  'Teams PowerShell signed in as the app but refused its cmdlets (Access Denied): the app registration has no Entra admin role. In Entra ID › Roles and administrators, assign the Teams Administrator role (or Teams Communications Administrator) to the app, wait a few minutes for it to apply, then try again.';
// Import-Module's own words when a module is not installed ("The specified module '…' was not loaded because no valid module file was found in any module directory.").
const MODULE_MISSING = /UCR_MODULE_MISSING|specified module 'MicrosoftTeams' was not loaded/i;
const APP_INSTANCE_CMDLET = /^(Get|New|Set|Sync)-CsOnlineApplicationInstance$/;
const CERTIFICATE_TEXT = /-----BEGIN[\s\S]*?(-----END[^-]*-----|$)/g;

export type PowerShellBridgeOptions = { pwshPath: string; timeoutMs?: number };
export type BridgeCredentials = { tenant: string; appId: string; certificatePem: string; privateKeyPem: string };

/** What a failed run's stderr means, as a TeamsError naming what to do. Never repeats more than the failing line, and never a key. */
function bridgeFailure(code: number | null, stderr: string): TeamsError {
  if (ACCESS_DENIED.test(stderr)) return new TeamsError('permission_missing', MISSING_ROLE);
  if (MODULE_MISSING.test(stderr))
    return new TeamsError('module_missing', 'PowerShell runs but the MicrosoftTeams module is not installed for it. On the server, run `Install-Module MicrosoftTeams -MinimumVersion 4.9.2` in pwsh (4.9.2 or later signs in with a certificate), then try again.');
  const failed = /UCR_CMDLET_FAILED (\S+) \| [^|]* \| (.*)/.exec(stderr);
  if (failed) {
    const [, cmdlet = '', message = ''] = failed;
    const said = message.replace(CERTIFICATE_TEXT, '[certificate]').slice(0, 300);
    if (APP_INSTANCE_CMDLET.test(cmdlet) && /not supported|unsupported|application.?based|app.?only|delegated/i.test(said))
      return new TeamsError('app_auth_unsupported', `Teams PowerShell refused ${cmdlet} for the app's certificate sign-in: Microsoft lists the *-CsOnlineApplicationInstance cmdlets as unsupported with application-based authentication (learn.microsoft.com/microsoftteams/teams-powershell-application-authentication). Teams said: ${said}`);
    return new TeamsError('cmdlet_failed', `Teams PowerShell: ${cmdlet} failed: ${said}`);
  }
  // First line of PowerShell's error only: the rest can echo input, and input holds the key.
  const first = (stderr.split('\n')[0] ?? '').replace(CERTIFICATE_TEXT, '[certificate]').slice(0, 300);
  return new TeamsError('unavailable', `The Teams PowerShell bridge failed (exit ${code ?? 'killed'}): ${first}`);
}

/**
 * Runs allow-listed cmdlets in one pwsh session, in order; answers each one's output as a list
 * (ConvertTo-Json may still write a lone item as an object: read results with listOf). Checked
 * before pwsh starts, so a refused call runs nothing.
 */
export async function runCmdlets(options: PowerShellBridgeOptions, credentials: BridgeCredentials, calls: readonly CmdletCall[]): Promise<unknown[]> {
  checkCmdletCalls(calls);
  const input = JSON.stringify({ ...credentials, calls: calls.map((c) => ({ cmdlet: c.cmdlet, parameters: c.parameters ?? {}, select: c.select ?? null })) });
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(options.pwshPath, ['-NoProfile', '-NonInteractive', '-Command', RUNNER_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => undefined); // a child that never started or exited early: the close/error handlers report it
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code === 'ENOENT')
        reject(new TeamsError('powershell_not_found', `PowerShell was not found at ${options.pwshPath}. Install PowerShell 7 with the MicrosoftTeams module there, set UCR_PWSH_PATH to where pwsh is, or leave UCR_PWSH_PATH unset.`));
      else reject(new TeamsError('unavailable', `PowerShell could not be started (${options.pwshPath}): ${error.message}. Install PowerShell 7 with the MicrosoftTeams module, or leave UCR_PWSH_PATH unset.`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(bridgeFailure(code, stderr));
    });
    child.stdin.end(input);
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch {
    throw new TeamsError('unexpected_answer', 'The Teams PowerShell bridge did not answer with JSON.');
  }
  const results = Array.isArray(parsed) ? parsed : [parsed];
  if (results.length !== calls.length) throw new TeamsError('unexpected_answer', `The Teams PowerShell bridge answered ${results.length} results for ${calls.length} cmdlets.`);
  return results;
}

export async function listPoliciesWithPowerShell(options: PowerShellBridgeOptions, credentials: BridgeCredentials, policyTypes: TeamsPolicyType[]): Promise<Partial<Record<TeamsPolicyType, Array<{ name: string; description: string }>>>> {
  if (policyTypes.length === 0) return {};
  const results = await runCmdlets(options, credentials, policyTypes.map((type) => ({ cmdlet: cmdlets[type], select: ['Identity', 'Description'] })));
  const result: Partial<Record<TeamsPolicyType, Array<{ name: string; description: string }>>> = {};
  policyTypes.forEach((type, i) => {
    result[type] = listOf(results[i])
      .filter((p) => typeof p.Identity === 'string')
      .map((p) => ({ name: String(p.Identity).replace(/^Tag:/, ''), description: typeof p.Description === 'string' ? p.Description : '' }));
  });
  return result;
}

/**
 * Emergency addresses and locations (Location Information Service) are Teams PowerShell only:
 * Get-CsOnlineLisCivicAddress, Get-CsOnlineLisLocation, New-CsOnlineLisCivicAddress and
 * New-CsOnlineLisLocation (learn.microsoft.com/powershell/module/microsoftteams/…). The output
 * properties are picked by their documented names.
 */
/** A civic address as Get-CsOnlineLisCivicAddress shows it (documented property names). */
export type LisCivicAddress = {
  CivicAddressId: string;
  DefaultLocationId: string;
  CompanyName: string;
  Description: string;
  HouseNumber: string;
  StreetName: string;
  City: string;
  StateOrProvince: string;
  PostalCode: string;
  CountryOrRegion: string;
};
/** A location as Get-CsOnlineLisLocation shows it: Location is the place ("Floor 2"), empty for an address's default. */
export type LisLocation = Pick<LisCivicAddress, 'CivicAddressId' | 'CompanyName' | 'Description' | 'HouseNumber' | 'StreetName' | 'City' | 'StateOrProvince' | 'PostalCode' | 'CountryOrRegion'> & { LocationId: string; Location: string };

const ADDRESS_FIELDS = ['CivicAddressId', 'DefaultLocationId', 'CompanyName', 'Description', 'HouseNumber', 'StreetName', 'City', 'StateOrProvince', 'PostalCode', 'CountryOrRegion'] as const;
const LOCATION_FIELDS = ['LocationId', 'CivicAddressId', 'Location', 'CompanyName', 'Description', 'HouseNumber', 'StreetName', 'City', 'StateOrProvince', 'PostalCode', 'CountryOrRegion'] as const;

/** ConvertTo-Json writes one object where a list has one item, and null for an empty property. */
function listOf(value: unknown): Array<Record<string, unknown>> {
  const items = Array.isArray(value) ? value : value && typeof value === 'object' ? [value] : [];
  return items.filter((item): item is Record<string, unknown> => Boolean(item) && typeof item === 'object');
}
function pick<K extends string>(item: Record<string, unknown>, fields: readonly K[]): Record<K, string> {
  return Object.fromEntries(fields.map((f) => [f, item[f] === null || item[f] === undefined ? '' : String(item[f])])) as Record<K, string>;
}

export async function listEmergencyLocationsWithPowerShell(options: PowerShellBridgeOptions, credentials: BridgeCredentials): Promise<{ addresses: LisCivicAddress[]; locations: LisLocation[] }> {
  const [addresses, locations] = await runCmdlets(options, credentials, [
    { cmdlet: 'Get-CsOnlineLisCivicAddress', select: ADDRESS_FIELDS },
    { cmdlet: 'Get-CsOnlineLisLocation', select: LOCATION_FIELDS },
  ]);
  return {
    addresses: listOf(addresses).map((a) => pick(a, ADDRESS_FIELDS)).filter((a) => a.CivicAddressId),
    locations: listOf(locations).map((l) => pick(l, LOCATION_FIELDS)).filter((l) => l.LocationId),
  };
}

export type NewCivicAddress = { CompanyName: string; CountryOrRegion: string; Description?: string | undefined; HouseNumber?: string | undefined; StreetName?: string | undefined; City?: string | undefined; StateOrProvince?: string | undefined; PostalCode?: string | undefined };

export async function createCivicAddressWithPowerShell(options: PowerShellBridgeOptions, credentials: BridgeCredentials, address: NewCivicAddress): Promise<LisCivicAddress> {
  // Only the given, non-empty fields are passed: an empty -HouseNumber is not "no house number" to Teams.
  const parameters = Object.fromEntries(Object.entries(address).filter(([, value]) => typeof value === 'string' && value !== ''));
  const [output] = await runCmdlets(options, credentials, [{ cmdlet: 'New-CsOnlineLisCivicAddress', parameters, select: ADDRESS_FIELDS }]);
  const created = listOf(output).map((a) => pick(a, ADDRESS_FIELDS))[0];
  if (!created?.CivicAddressId || !created.DefaultLocationId) throw new TeamsError('unexpected_answer', 'Teams PowerShell did not return the new civic address.');
  return created;
}

export async function createLisLocationWithPowerShell(options: PowerShellBridgeOptions, credentials: BridgeCredentials, input: { civicAddressId: string; location: string }): Promise<LisLocation> {
  const [output] = await runCmdlets(options, credentials, [{ cmdlet: 'New-CsOnlineLisLocation', parameters: { CivicAddressId: input.civicAddressId, Location: input.location }, select: LOCATION_FIELDS }]);
  const created = listOf(output).map((l) => pick(l, LOCATION_FIELDS))[0];
  if (!created?.LocationId) throw new TeamsError('unexpected_answer', 'Teams PowerShell did not return the new location.');
  return created;
}
