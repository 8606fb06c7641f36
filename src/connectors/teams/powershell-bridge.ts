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

export async function listPoliciesWithPowerShell(options: PowerShellBridgeOptions, credentials: BridgeCredentials, policyTypes: TeamsPolicyType[]): Promise<Partial<Record<TeamsPolicyType, Array<{ name: string; description: string }>>>> {
  const input = JSON.stringify({ ...credentials, policyTypes, cmdlets });
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(options.pwshPath, ['-NoProfile', '-NonInteractive', '-Command', SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
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
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch {
    throw new TeamsError('unexpected_answer', 'The Teams PowerShell bridge did not answer with JSON.');
  }
  const result: Partial<Record<TeamsPolicyType, Array<{ name: string; description: string }>>> = {};
  for (const type of policyTypes) {
    const list = (parsed as Record<string, unknown>)[type];
    if (Array.isArray(list)) result[type] = list.filter((p): p is { name: string; description?: string } => typeof (p as { name?: unknown }).name === 'string').map((p) => ({ name: p.name, description: p.description ?? '' }));
  }
  return result;
}
