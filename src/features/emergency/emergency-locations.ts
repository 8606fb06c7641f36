import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { headerKey, uploadCsvOptions } from '../../core/import-csv.ts';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { createCivicAddressWithPowerShell, createLisLocationWithPowerShell, listEmergencyLocationsWithPowerShell, type LisCivicAddress, type LisLocation, type NewCivicAddress } from '../../connectors/teams/powershell-bridge.ts';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import type { Db } from '../../db/connection.ts';
import { emergencyLocations, numberRanges, sites } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { findEmergencyLocation, locationLabel, type EmergencyLocationRow } from '../numbers/emergency-defaults.ts';
import { teamsCertificateCredentials } from '../teams/connection.ts';
import { loadActiveTenant, loadTenant } from '../tenants/tenants.ts';

type Source = EmergencyLocationRow['source'];
type LocationFields = Omit<EmergencyLocationRow, 'tenantId' | 'source' | 'refreshedAt'>;

export function emergencyLocationView(l: EmergencyLocationRow) {
  return {
    locationId: l.locationId,
    civicAddressId: l.civicAddressId,
    label: locationLabel(l),
    place: l.place,
    isDefault: l.place === '',
    companyName: l.companyName,
    description: l.description,
    houseNumber: l.houseNumber,
    streetName: l.streetName,
    city: l.city,
    stateOrProvince: l.stateOrProvince,
    postalCode: l.postalCode,
    countryOrRegion: l.countryOrRegion,
    source: l.source,
    refreshedAt: l.refreshedAt.toISOString(),
  };
}

/** The bridge can read and create locations only with UCR_PWSH_PATH set on the server. */
export function bridgeAvailable(deps: AppDeps): boolean {
  return Boolean(deps.config.pwshPath);
}

export async function listEmergencyLocations(deps: AppDeps, actor: Actor, tenantId: string) {
  await loadTenant(deps.db, actor, tenantId);
  const rows = await deps.db.select().from(emergencyLocations).where(eq(emergencyLocations.tenantId, tenantId)).orderBy(asc(emergencyLocations.description), asc(emergencyLocations.place));
  const latest = rows.reduce<EmergencyLocationRow | undefined>((a, b) => (!a || b.refreshedAt > a.refreshedAt ? b : a), undefined);
  return {
    locations: rows.map(emergencyLocationView),
    lastRefresh: latest ? { source: latest.source, at: latest.refreshedAt.toISOString() } : null,
    powershellBridge: bridgeAvailable(deps),
  };
}

function requireBridge(deps: AppDeps): string {
  if (!deps.config.pwshPath) {
    throw new ConflictError('The PowerShell bridge is not set up on this server (UCR_PWSH_PATH), and Graph cannot list or create emergency locations. Import them from a CSV export instead.', 'powershell_not_configured');
  }
  return deps.config.pwshPath;
}

const fromAddress = (a: Pick<LisCivicAddress, 'CivicAddressId' | 'CompanyName' | 'Description' | 'HouseNumber' | 'StreetName' | 'City' | 'StateOrProvince' | 'PostalCode' | 'CountryOrRegion'>) => ({
  civicAddressId: a.CivicAddressId,
  companyName: a.CompanyName,
  description: a.Description,
  houseNumber: a.HouseNumber,
  streetName: a.StreetName,
  city: a.City,
  stateOrProvince: a.StateOrProvince,
  postalCode: a.PostalCode,
  countryOrRegion: a.CountryOrRegion,
});
const fromLocation = (l: LisLocation): LocationFields => ({ locationId: l.LocationId, place: l.Location, ...fromAddress(l) });

/** Every location, and each address's default location even where Get-CsOnlineLisLocation leaves it out. */
function rowsFromTeams(addresses: LisCivicAddress[], locations: LisLocation[]): LocationFields[] {
  const rows = new Map<string, LocationFields>(locations.map((l) => [l.LocationId, fromLocation(l)]));
  for (const a of addresses) if (a.DefaultLocationId && !rows.has(a.DefaultLocationId)) rows.set(a.DefaultLocationId, { locationId: a.DefaultLocationId, place: '', ...fromAddress(a) });
  return [...rows.values()];
}

async function upsert(tx: Db, tenantId: string, rows: LocationFields[], source: Source, now: Date): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500).map((r) => ({ ...r, tenantId, source, refreshedAt: now }));
    await tx
      .insert(emergencyLocations)
      .values(chunk)
      .onConflictDoUpdate({
        target: [emergencyLocations.tenantId, emergencyLocations.locationId],
        set: {
          civicAddressId: sql`excluded.civic_address_id`,
          place: sql`excluded.place`,
          companyName: sql`excluded.company_name`,
          description: sql`excluded.description`,
          houseNumber: sql`excluded.house_number`,
          streetName: sql`excluded.street_name`,
          city: sql`excluded.city`,
          stateOrProvince: sql`excluded.state_or_province`,
          postalCode: sql`excluded.postal_code`,
          countryOrRegion: sql`excluded.country_or_region`,
          source: sql`excluded.source`,
          refreshedAt: sql`excluded.refreshed_at`,
        },
      });
  }
}

/**
 * Reads every address and location of the tenant through the PowerShell bridge and replaces the
 * stored list with it (a location gone from Teams is gone here too), in one audited transaction.
 */
export async function refreshEmergencyLocations(deps: AppDeps, actor: Actor, tenantId: string, info: RequestInfo) {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const pwshPath = requireBridge(deps);
  const credentials = await teamsCertificateCredentials(deps, tenant);
  const found = await listEmergencyLocationsWithPowerShell({ pwshPath }, credentials);
  const rows = rowsFromTeams(found.addresses, found.locations);
  const now = deps.now();
  await deps.db.transaction(async (tx) => {
    const before = await tx.select({ locationId: emergencyLocations.locationId }).from(emergencyLocations).where(eq(emergencyLocations.tenantId, tenantId));
    const gone = before.map((b) => b.locationId).filter((id) => !rows.some((r) => r.locationId === id));
    if (gone.length) await tx.delete(emergencyLocations).where(and(eq(emergencyLocations.tenantId, tenantId), inArray(emergencyLocations.locationId, gone)));
    await upsert(tx, tenantId, rows, 'powershell', now);
    await recordAudit(tx, { action: 'emergency.locations_refreshed', actor, tenantId, targetType: 'tenant', targetId: tenantId, after: { source: 'powershell', addresses: found.addresses.length, locations: rows.length, removed: gone.length }, request: info });
  });
  return listEmergencyLocations(deps, actor, tenantId);
}

/**
 * The CSV columns an import reads, matched without regard to case, spaces or underscores. The
 * names are the property names of Get-CsOnlineLisLocation (so `Get-CsOnlineLisLocation |
 * Export-Csv` imports as is) with the aliases an export from the Teams admin center or a
 * spreadsheet tends to use.
 */
export const IMPORT_COLUMNS: Record<keyof LocationFields, string[]> = {
  locationId: ['locationid', 'location id', 'id'],
  civicAddressId: ['civicaddressid', 'addressid'],
  place: ['location', 'place', 'placename'],
  companyName: ['companyname', 'company', 'organizationname'],
  description: ['description', 'name', 'addressname', 'address description'],
  houseNumber: ['housenumber', 'house number'],
  streetName: ['streetname', 'street'],
  city: ['city'],
  stateOrProvince: ['stateorprovince', 'state', 'province', 'region'],
  postalCode: ['postalcode', 'zip', 'zipcode', 'postcode'],
  countryOrRegion: ['countryorregion', 'country', 'countrycode'],
};
const headerIndex = new Map(Object.entries(IMPORT_COLUMNS).flatMap(([field, names]) => names.map((n) => [headerKey(n), field as keyof LocationFields])));

/** Imports locations from a CSV export (for tenants without the bridge): adds new ones, updates known ones. */
export async function importEmergencyLocations(deps: AppDeps, actor: Actor, tenantId: string, input: Readable, info: RequestInfo, options: { fileName?: string | undefined } = {}) {
  await loadActiveTenant(deps.db, actor, tenantId);
  const parser = input.pipe(parse(uploadCsvOptions));
  let columns: Array<keyof LocationFields | undefined> | undefined;
  const rows = new Map<string, LocationFields>();
  const problems: string[] = [];
  let line = 1;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!columns) {
        columns = record.map((h) => headerIndex.get(headerKey(h)));
        if (!columns.includes('locationId')) throw new ValidationError('The first line must name the columns, with at least LocationId (see the accepted columns on the Emergency page).', [{ field: 'file', message: 'No LocationId column' }]);
        continue;
      }
      line += 1;
      const row = Object.fromEntries(Object.keys(IMPORT_COLUMNS).map((f) => [f, ''])) as LocationFields;
      record.forEach((value, i) => {
        const field = columns![i];
        if (field) row[field] = value;
      });
      if (!row.locationId) problems.push(`Line ${line}: LocationId is empty.`);
      else if (row.locationId.length > 100) problems.push(`Line ${line}: LocationId is too long.`);
      else rows.set(row.locationId, row);
      if (rows.size > 10_000) throw new ValidationError('An import holds at most 10,000 locations.');
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new ValidationError(`The file could not be read as CSV: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!columns) throw new ValidationError('The file is empty.');
  if (problems.length) throw new ValidationError(`Nothing was imported: ${problems.slice(0, 5).join(' ')}`, [{ field: 'file', message: problems[0]! }]);
  if (rows.size === 0) throw new ValidationError('The file has a header but no rows.');
  await deps.db.transaction(async (tx) => {
    await upsert(tx, tenantId, [...rows.values()], 'csv', deps.now());
    await recordAudit(tx, { action: 'emergency.locations_imported', actor, tenantId, targetType: 'tenant', targetId: tenantId, after: { source: 'csv', file: options.fileName ?? null, locations: rows.size }, request: info });
  });
  return { imported: rows.size, ...(await listEmergencyLocations(deps, actor, tenantId)) };
}

/**
 * Creates an emergency address in Teams (New-CsOnlineLisCivicAddress, which also creates its
 * default location) and, when a place is given, a location there (New-CsOnlineLisLocation);
 * both are stored as Teams returned them.
 */
export async function createEmergencyAddress(deps: AppDeps, actor: Actor, tenantId: string, input: NewCivicAddress & { place?: string | undefined }, info: RequestInfo) {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const pwshPath = requireBridge(deps);
  const credentials = await teamsCertificateCredentials(deps, tenant);
  const { place, ...address } = input;
  const created = await createCivicAddressWithPowerShell({ pwshPath }, credentials, address);
  const rows: LocationFields[] = [{ locationId: created.DefaultLocationId, place: '', ...fromAddress(created) }];
  const placed = place ? await createLisLocationWithPowerShell({ pwshPath }, credentials, { civicAddressId: created.CivicAddressId, location: place }) : undefined;
  if (placed) rows.push(fromLocation(placed));
  await deps.db.transaction(async (tx) => {
    await upsert(tx, tenantId, rows, 'ucr', deps.now());
    await recordAudit(tx, { action: 'emergency.address_created', actor, tenantId, targetType: 'civic_address', targetId: created.CivicAddressId, after: { ...fromAddress(created), defaultLocationId: created.DefaultLocationId, place: placed?.Location ?? null, locationId: placed?.LocationId ?? null }, request: info });
  });
  return { civicAddressId: created.CivicAddressId, locations: (await listEmergencyLocations(deps, actor, tenantId)).locations.filter((l) => l.civicAddressId === created.CivicAddressId) };
}

/** Adds a place (New-CsOnlineLisLocation) to an address the tenant has. */
export async function createEmergencyLocation(deps: AppDeps, actor: Actor, tenantId: string, input: { civicAddressId: string; place: string }, info: RequestInfo) {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const pwshPath = requireBridge(deps);
  const [known] = await deps.db.select({ id: emergencyLocations.civicAddressId }).from(emergencyLocations).where(and(eq(emergencyLocations.tenantId, tenantId), eq(emergencyLocations.civicAddressId, input.civicAddressId))).limit(1);
  if (!known) throw new NotFoundError('Emergency address');
  const created = await createLisLocationWithPowerShell({ pwshPath }, await teamsCertificateCredentials(deps, tenant), { civicAddressId: input.civicAddressId, location: input.place });
  await deps.db.transaction(async (tx) => {
    await upsert(tx, tenantId, [fromLocation(created)], 'ucr', deps.now());
    await recordAudit(tx, { action: 'emergency.location_created', actor, tenantId, targetType: 'emergency_location', targetId: created.LocationId, after: { civicAddressId: created.CivicAddressId, place: created.Location }, request: info });
  });
  const [row] = await deps.db.select().from(emergencyLocations).where(and(eq(emergencyLocations.tenantId, tenantId), eq(emergencyLocations.locationId, created.LocationId)));
  return emergencyLocationView(row!);
}

/** Sites and ranges with the default emergency location each gives its numbers. */
export async function listLocationDefaults(deps: AppDeps, actor: Actor, tenantId: string) {
  await loadTenant(deps.db, actor, tenantId);
  const siteRows = await deps.db.select({ id: sites.id, name: sites.name, defaultLocationId: sites.defaultLocationId }).from(sites).where(eq(sites.tenantId, tenantId)).orderBy(asc(sites.name));
  const rangeRows = await deps.db.select({ id: numberRanges.id, name: numberRanges.name, siteId: numberRanges.siteId, defaultLocationId: numberRanges.defaultLocationId }).from(numberRanges).where(eq(numberRanges.tenantId, tenantId)).orderBy(asc(numberRanges.name));
  return { sites: siteRows, ranges: rangeRows };
}

/** Sets (or clears) the default emergency location of a site or a range, audited. */
export async function setLocationDefault(deps: AppDeps, actor: Actor, tenantId: string, target: { siteId: string } | { rangeId: string }, locationRef: string | null, info: RequestInfo) {
  await loadActiveTenant(deps.db, actor, tenantId);
  const locationId = locationRef === null ? null : (await findEmergencyLocation(deps.db, tenantId, locationRef)).locationId;
  return deps.db.transaction(async (tx) => {
    if ('siteId' in target) {
      const [before] = await tx.select().from(sites).where(and(eq(sites.id, target.siteId), eq(sites.tenantId, tenantId))).for('update');
      if (!before) throw new NotFoundError('Site');
      await tx.update(sites).set({ defaultLocationId: locationId }).where(eq(sites.id, before.id));
      await recordAudit(tx, { action: 'emergency.default_set', actor, tenantId, targetType: 'site', targetId: before.id, before: { defaultLocationId: before.defaultLocationId }, after: { defaultLocationId: locationId }, request: info });
      return { id: before.id, name: before.name, defaultLocationId: locationId };
    }
    const [before] = await tx.select().from(numberRanges).where(and(eq(numberRanges.id, target.rangeId), eq(numberRanges.tenantId, tenantId))).for('update');
    if (!before) throw new NotFoundError('Range');
    await tx.update(numberRanges).set({ defaultLocationId: locationId }).where(eq(numberRanges.id, before.id));
    await recordAudit(tx, { action: 'emergency.default_set', actor, tenantId, targetType: 'range', targetId: before.id, before: { defaultLocationId: before.defaultLocationId }, after: { defaultLocationId: locationId }, request: info });
    return { id: before.id, name: before.name, defaultLocationId: locationId };
  });
}
