import { spawn } from 'node:child_process';
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

// The cmdlet is chosen from the fixed table above, inside the script, by the policy type given on stdin.
const SCRIPT = `
$ErrorActionPreference = 'Stop'
$request = [Console]::In.ReadToEnd() | ConvertFrom-Json
$cmdlets = $request.cmdlets
$cert = [System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPem($request.certificatePem, $request.privateKeyPem)
Import-Module MicrosoftTeams
Connect-MicrosoftTeams -Certificate $cert -ApplicationId $request.appId -TenantId $request.tenant | Out-Null
$result = @{}
foreach ($type in $request.policyTypes) {
  $cmdlet = $cmdlets.$type
  if (-not $cmdlet) { continue }
  $result[$type] = @(& $cmdlet | ForEach-Object { @{ name = ($_.Identity -replace '^Tag:', ''); description = [string]$_.Description } })
}
$result | ConvertTo-Json -Depth 4 -Compress
`;

/**
 * App-only sign-in succeeds without any admin role, but every *-Cs cmdlet then answers
 * "Access Denied." (FullyQualifiedErrorId Forbidden): the session's rights come from the Entra
 * directory role assigned to the app, carried in its token ("Application-based authentication in
 * Teams PowerShell Module", learn.microsoft.com/microsoftteams/teams-powershell-application-authentication:
 * "Assign Microsoft Entra roles to the application"; the error as reported in
 * MicrosoftDocs/office-docs-powershell issues #9929 and #10363).
 */
const ACCESS_DENIED = /access denied|FullyQualifiedErrorId\s*:\s*Forbidden/i;
const MISSING_ROLE =
  'Teams PowerShell signed in as the app but refused its cmdlets (Access Denied): the app registration has no Entra admin role. In Entra ID › Roles and administrators, assign the Teams Administrator role (or Teams Communications Administrator) to the app, wait a few minutes for it to apply, then try again.';

export type PowerShellBridgeOptions = { pwshPath: string; timeoutMs?: number };
export type BridgeCredentials = { tenant: string; appId: string; certificatePem: string; privateKeyPem: string };

/** Runs a fixed script with the request as JSON on stdin; answers its stdout parsed as JSON. */
async function runBridge(options: PowerShellBridgeOptions, script: string, request: Record<string, unknown>): Promise<unknown> {
  const input = JSON.stringify(request);
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(options.pwshPath, ['-NoProfile', '-NonInteractive', '-Command', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new TeamsError('unavailable', `PowerShell could not be started (${options.pwshPath}): ${error.message}. Install PowerShell 7 with the MicrosoftTeams module, or leave UCR_PWSH_PATH unset.`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else if (ACCESS_DENIED.test(stderr)) reject(new TeamsError('permission_missing', MISSING_ROLE));
      // First line of PowerShell's error only: the rest can echo input, and input holds the key.
      else reject(new TeamsError('unavailable', `The Teams PowerShell bridge failed (exit ${code ?? 'killed'}): ${stderr.split('\n')[0]?.slice(0, 300) ?? ''}`));
    });
    child.stdin.end(input);
  });
  try {
    return JSON.parse(output);
  } catch {
    throw new TeamsError('unexpected_answer', 'The Teams PowerShell bridge did not answer with JSON.');
  }
}

export async function listPoliciesWithPowerShell(options: PowerShellBridgeOptions, credentials: BridgeCredentials, policyTypes: TeamsPolicyType[]): Promise<Partial<Record<TeamsPolicyType, Array<{ name: string; description: string }>>>> {
  const parsed = await runBridge(options, SCRIPT, { ...credentials, policyTypes, cmdlets });
  const result: Partial<Record<TeamsPolicyType, Array<{ name: string; description: string }>>> = {};
  for (const type of policyTypes) {
    const list = (parsed as Record<string, unknown>)[type];
    if (Array.isArray(list)) result[type] = list.filter((p): p is { name: string; description?: string } => typeof (p as { name?: unknown }).name === 'string').map((p) => ({ name: p.name, description: p.description ?? '' }));
  }
  return result;
}

/**
 * Emergency addresses and locations (Location Information Service) are Teams PowerShell only:
 * Get-CsOnlineLisCivicAddress, Get-CsOnlineLisLocation, New-CsOnlineLisCivicAddress and
 * New-CsOnlineLisLocation (learn.microsoft.com/powershell/module/microsoftteams/…). The script
 * picks the output properties by their documented names; creating passes only documented
 * parameters, splatted from a hashtable built of the JSON input, so no input becomes code.
 */
const LIS_SCRIPT = `
$ErrorActionPreference = 'Stop'
$request = [Console]::In.ReadToEnd() | ConvertFrom-Json
$cert = [System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPem($request.certificatePem, $request.privateKeyPem)
Import-Module MicrosoftTeams
Connect-MicrosoftTeams -Certificate $cert -ApplicationId $request.appId -TenantId $request.tenant | Out-Null
$addressProperties = 'CivicAddressId', 'DefaultLocationId', 'CompanyName', 'Description', 'HouseNumber', 'StreetName', 'City', 'StateOrProvince', 'PostalCode', 'CountryOrRegion'
$locationProperties = 'LocationId', 'CivicAddressId', 'Location', 'CompanyName', 'Description', 'HouseNumber', 'StreetName', 'City', 'StateOrProvince', 'PostalCode', 'CountryOrRegion'
$result = @{}
switch ($request.operation) {
  'list' {
    $result.addresses = @(Get-CsOnlineLisCivicAddress | Select-Object -Property $addressProperties)
    $result.locations = @(Get-CsOnlineLisLocation | Select-Object -Property $locationProperties)
  }
  'newAddress' {
    $parameters = @{ CompanyName = [string]$request.address.CompanyName; CountryOrRegion = [string]$request.address.CountryOrRegion }
    foreach ($name in 'Description', 'HouseNumber', 'StreetName', 'City', 'StateOrProvince', 'PostalCode') {
      $value = [string]$request.address.$name
      if ($value) { $parameters[$name] = $value }
    }
    $result.address = New-CsOnlineLisCivicAddress @parameters | Select-Object -Property $addressProperties
  }
  'newLocation' {
    $result.location = New-CsOnlineLisLocation -CivicAddressId ([string]$request.civicAddressId) -Location ([string]$request.location) | Select-Object -Property $locationProperties
  }
}
$result | ConvertTo-Json -Depth 4 -Compress
`;

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
  const parsed = (await runBridge(options, LIS_SCRIPT, { ...credentials, operation: 'list' })) as Record<string, unknown> | null;
  return {
    addresses: listOf(parsed?.addresses).map((a) => pick(a, ADDRESS_FIELDS)).filter((a) => a.CivicAddressId),
    locations: listOf(parsed?.locations).map((l) => pick(l, LOCATION_FIELDS)).filter((l) => l.LocationId),
  };
}

export type NewCivicAddress = { CompanyName: string; CountryOrRegion: string; Description?: string | undefined; HouseNumber?: string | undefined; StreetName?: string | undefined; City?: string | undefined; StateOrProvince?: string | undefined; PostalCode?: string | undefined };

export async function createCivicAddressWithPowerShell(options: PowerShellBridgeOptions, credentials: BridgeCredentials, address: NewCivicAddress): Promise<LisCivicAddress> {
  const parsed = (await runBridge(options, LIS_SCRIPT, { ...credentials, operation: 'newAddress', address })) as Record<string, unknown> | null;
  const created = listOf(parsed?.address).map((a) => pick(a, ADDRESS_FIELDS))[0];
  if (!created?.CivicAddressId || !created.DefaultLocationId) throw new TeamsError('unexpected_answer', 'Teams PowerShell did not return the new civic address.');
  return created;
}

export async function createLisLocationWithPowerShell(options: PowerShellBridgeOptions, credentials: BridgeCredentials, input: { civicAddressId: string; location: string }): Promise<LisLocation> {
  const parsed = (await runBridge(options, LIS_SCRIPT, { ...credentials, operation: 'newLocation', ...input })) as Record<string, unknown> | null;
  const created = listOf(parsed?.location).map((l) => pick(l, LOCATION_FIELDS))[0];
  if (!created?.LocationId) throw new TeamsError('unexpected_answer', 'Teams PowerShell did not return the new location.');
  return created;
}
