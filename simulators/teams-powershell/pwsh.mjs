#!/usr/bin/env node
// Stand-in for `pwsh` (tests, and the demo through scripts/start.ts): checks how it is called and that the script is the bridge's
// runner, records the call, then runs each requested cmdlet as the MicrosoftTeams module would,
// answering what the runner writes: `ConvertTo-Json -InputObject $results -Depth 8 -EnumsAsStrings`
// of one list per cmdlet, and on failure the runner's marker lines on stderr.
// Vendor sources for each behaviour are in docs/external-apis.md ("Teams PowerShell bridge").
import { appendFileSync } from 'node:fs';

const args = process.argv.slice(2);
let input = '';
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => {
  if (process.env.FAKE_PWSH_LOG) appendFileSync(process.env.FAKE_PWSH_LOG, `${JSON.stringify({ args })}\n`);
  const script = args[args.indexOf('-Command') + 1];
  if (!args.includes('-NoProfile') || !args.includes('-NonInteractive') || script === undefined) fail(2, 'expected -NoProfile -NonInteractive -Command <script>');
  // The runner's shape: parameters splatted from a hashtable, output as JSON deep enough for call flows.
  for (const word of ['[Console]::In.ReadToEnd()', '& $call.cmdlet @parameters', 'Import-Module MicrosoftTeams', 'ConvertTo-Json -InputObject $results -Depth 8', '-EnumsAsStrings'])
    if (!script.includes(word)) fail(2, `fake pwsh: the script does not use ${word}`);
  const request = JSON.parse(input);
  for (const call of request.calls ?? []) if (!script.includes(`'${call.cmdlet}'`)) fail(4, `UCR_CMDLET_NOT_ALLOWED ${call.cmdlet}`);
  // FAKE_PWSH_ANSWER=module-missing: Import-Module's words when the module is not installed
  // (learn.microsoft.com/powershell/module/microsoft.powershell.core/import-module).
  if (process.env.FAKE_PWSH_ANSWER === 'module-missing')
    fail(3, "UCR_MODULE_MISSING The specified module 'MicrosoftTeams' was not loaded because no valid module file was found in any module directory.");
  if (!request.certificatePem?.includes('BEGIN CERTIFICATE') || !request.privateKeyPem?.includes('PRIVATE KEY') || !request.appId || !request.tenant) fail(1, 'Connect-MicrosoftTeams: missing credentials');
  run(request).then(
    (results) => process.stdout.write(JSON.stringify(results)),
    (error) => fail(5, `UCR_CMDLET_FAILED ${error.cmdlet} | ${error.errorId ?? 'Error'} | ${error.message}`),
  );
});

function fail(code, line) {
  process.stderr.write(`${line}\n`);
  process.exit(code);
}
class CmdletError extends Error {
  constructor(cmdlet, message, errorId) {
    super(message);
    this.cmdlet = cmdlet;
    this.errorId = errorId;
  }
}

// Parameters each cmdlet accepts (the documented syntax); PowerShell refuses any other name.
const PARAMETERS = {
  'Get-CsOnlineLisCivicAddress': [],
  'Get-CsOnlineLisLocation': [],
  'New-CsOnlineLisCivicAddress': ['CompanyName', 'CountryOrRegion', 'Description', 'HouseNumber', 'StreetName', 'City', 'StateOrProvince', 'PostalCode'],
  'New-CsOnlineLisLocation': ['CivicAddressId', 'Location'],
  'Get-CsOnlineApplicationInstance': ['Identity'],
  'Get-CsAutoAttendant': ['Identity', 'First', 'Skip'],
  'Get-CsCallQueue': ['Identity', 'First', 'Skip'],
  'New-CsOnlineApplicationInstance': ['UserPrincipalName', 'ApplicationId', 'DisplayName'],
  'New-CsOnlineApplicationInstanceAssociation': ['Identities', 'ConfigurationId', 'ConfigurationType'],
};

async function run(request) {
  const results = [];
  for (const call of request.calls) {
    const parameters = call.parameters ?? {};
    const known = PARAMETERS[call.cmdlet] ?? (/^Get-Cs\w+$/.test(call.cmdlet) ? [] : undefined);
    if (!known) throw new CmdletError(call.cmdlet, `The term '${call.cmdlet}' is not recognized as a name of a cmdlet, function, script file, or executable program.`, 'CommandNotFoundException');
    for (const name of Object.keys(parameters))
      if (!known.includes(name)) throw new CmdletError(call.cmdlet, `A parameter cannot be found that matches parameter name '${name}'.`, `NamedParameterNotFound,${call.cmdlet}`);
    // FAKE_PWSH_ANSWER=access-denied: the app signed in but holds no Entra admin role, so the
    // first *-Cs cmdlet fails as Teams PowerShell reports it (MicrosoftDocs/office-docs-powershell
    // issues #9929, #10363: "Access Denied." with FullyQualifiedErrorId Forbidden).
    if (process.env.FAKE_PWSH_ANSWER === 'access-denied') throw new CmdletError(call.cmdlet, 'Access Denied.', `Forbidden,Microsoft.Teams.ConfigApi.Cmdlets.${call.cmdlet.replace(/-/g, '')}`);
    // FAKE_PWSH_ANSWER=app-auth-unsupported: app-only sign-in refuses the application instance
    // cmdlets (learn.microsoft.com/microsoftteams/teams-powershell-application-authentication lists them as not supported).
    if (process.env.FAKE_PWSH_ANSWER === 'app-auth-unsupported' && /-CsOnlineApplicationInstance$/.test(call.cmdlet))
      throw new CmdletError(call.cmdlet, 'This cmdlet is not supported with application-based authentication.', `NotSupported,${call.cmdlet}`);
    let output = await answer(call.cmdlet, parameters, request.tenant);
    if (call.select) output = output.map((item) => Object.fromEntries(call.select.map((p) => [p, item[p] ?? null])));
    // ConvertTo-Json writes a one-item list as the item itself: the fake takes that reading.
    results.push(output.length === 1 ? output[0] : output);
  }
  return results;
}

// The tenant lives in the Graph simulator (FAKE_PWSH_GRAPH_URL), as in Teams one tenant holds
// both: LIS locations listed here are the ones its numberAssignments accept, resource accounts
// created here are users there.
async function sim(cmdlet, tenant, path, body) {
  const base = process.env.FAKE_PWSH_GRAPH_URL;
  if (!base) throw new CmdletError('Connect-MicrosoftTeams', 'fake pwsh has no tenant (set FAKE_PWSH_GRAPH_URL to the Graph simulator)');
  const response = await fetch(`${base}/_sim/tenants/${encodeURIComponent(tenant)}${path}`, body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {});
  const answer = await response.json();
  if (!response.ok) throw new CmdletError(cmdlet, answer.error ?? String(response.status), answer.errorId);
  return answer;
}

async function answer(cmdlet, p, tenant) {
  // Policies (Get-Cs…Policy): Global plus one named instance, Identity "Tag:<name>" as the cmdlets show it.
  if (!PARAMETERS[cmdlet]) {
    const type = cmdlet.replace(/^Get-Cs/, '');
    return [{ Identity: 'Global', Description: '' }, { Identity: `Tag:${type}-FromPowerShell`, Description: `Read by the bridge for ${tenant}` }];
  }
  const addressOut = (a) => ({ CivicAddressId: a.civicAddressId, HouseNumber: a.houseNumber, HouseNumberSuffix: '', PreDirectional: '', StreetName: a.streetName, StreetSuffix: '', PostDirectional: '', City: a.city, PostalCode: a.postalCode, StateOrProvince: a.stateOrProvince, CountryOrRegion: a.countryOrRegion, Description: a.description, CompanyName: a.companyName, DefaultLocationId: a.defaultLocationId });
  const locationOut = (l, addresses) => {
    const { DefaultLocationId: _default, ...address } = addressOut(addresses.find((x) => x.civicAddressId === l.civicAddressId) ?? {});
    return { ...address, LocationId: l.locationId, Location: l.location };
  };
  switch (cmdlet) {
    case 'Get-CsOnlineLisCivicAddress':
      return (await sim(cmdlet, tenant, '/lis')).addresses.map(addressOut);
    case 'Get-CsOnlineLisLocation': {
      const state = await sim(cmdlet, tenant, '/lis');
      return state.locations.map((l) => locationOut(l, state.addresses));
    }
    case 'New-CsOnlineLisCivicAddress':
      return [addressOut(await sim(cmdlet, tenant, '/lis/addresses', { companyName: p.CompanyName, countryOrRegion: p.CountryOrRegion, description: p.Description, houseNumber: p.HouseNumber, streetName: p.StreetName, city: p.City, stateOrProvince: p.StateOrProvince, postalCode: p.PostalCode }))];
    case 'New-CsOnlineLisLocation': {
      const created = await sim(cmdlet, tenant, '/lis/locations', { civicAddressId: p.CivicAddressId, location: p.Location });
      return [locationOut(created, (await sim(cmdlet, tenant, '/lis')).addresses)];
    }
    // Voice applications: the simulator keeps them in the cmdlets' own output shape.
    case 'Get-CsOnlineApplicationInstance':
    case 'Get-CsAutoAttendant':
    case 'Get-CsCallQueue': {
      const key = { 'Get-CsOnlineApplicationInstance': 'applicationInstances', 'Get-CsAutoAttendant': 'autoAttendants', 'Get-CsCallQueue': 'callQueues' }[cmdlet];
      const all = (await sim(cmdlet, tenant, '/voice-apps'))[key];
      if (p.Identity !== undefined) {
        const found = all.filter((item) => [item.Identity, item.Id, item.ObjectId, item.UserPrincipalName].some((v) => typeof v === 'string' && v.toLowerCase() === String(p.Identity).toLowerCase()));
        if (!found.length) throw new CmdletError(cmdlet, `Management object not found for identity '${p.Identity}'.`, 'NotFound');
        return found;
      }
      return all.slice(p.Skip ?? 0, (p.Skip ?? 0) + (p.First ?? 100));
    }
    case 'New-CsOnlineApplicationInstance':
      return [await sim(cmdlet, tenant, '/voice-apps/application-instances', { UserPrincipalName: p.UserPrincipalName, ApplicationId: p.ApplicationId, DisplayName: p.DisplayName })];
    case 'New-CsOnlineApplicationInstanceAssociation':
      return sim(cmdlet, tenant, '/voice-apps/associations', { Identities: p.Identities, ConfigurationId: p.ConfigurationId, ConfigurationType: p.ConfigurationType });
  }
  throw new CmdletError(cmdlet, 'fake pwsh: cmdlet not emulated');
}
