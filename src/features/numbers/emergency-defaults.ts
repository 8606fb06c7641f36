/**
 * Reading a tenant's emergency locations and the defaults that apply to a number (issue #19).
 * Writes of locations live in features/emergency; a number's own location is written only by
 * number-store.ts. What applies to a number without an explicit location: its range's default,
 * then its site's (the number's own site, else the range's site).
 */
import { eq } from 'drizzle-orm';
import { ValidationError } from '../../core/errors.ts';
import type { Db } from '../../db/connection.ts';
import { emergencyLocations, numberRanges, sites } from '../../db/schema/index.ts';
import type { NumberRow } from './number-view.ts';

export type EmergencyLocationRow = typeof emergencyLocations.$inferSelect;

/** How a location is named on screen and in CSVs: the address's description (or company), then the place. */
export function locationLabel(l: Pick<EmergencyLocationRow, 'description' | 'companyName' | 'place' | 'houseNumber' | 'streetName' | 'city'>): string {
  const address = l.description || [l.houseNumber, l.streetName].filter(Boolean).join(' ') || l.companyName || l.city;
  return l.place ? `${address} — ${l.place}` : address;
}

export type DefaultLocation = { locationId: string; from: 'range' | 'site' };

/** The default that applies to this number, or null when neither its range nor its site has one. */
export async function defaultLocationFor(db: Db, number: Pick<NumberRow, 'rangeId' | 'siteId'>): Promise<DefaultLocation | null> {
  let siteId = number.siteId;
  if (number.rangeId) {
    const [range] = await db.select({ defaultLocationId: numberRanges.defaultLocationId, siteId: numberRanges.siteId }).from(numberRanges).where(eq(numberRanges.id, number.rangeId));
    if (range?.defaultLocationId) return { locationId: range.defaultLocationId, from: 'range' };
    siteId = siteId ?? range?.siteId ?? null;
  }
  if (siteId) {
    const [site] = await db.select({ defaultLocationId: sites.defaultLocationId }).from(sites).where(eq(sites.id, siteId));
    if (site?.defaultLocationId) return { locationId: site.defaultLocationId, from: 'site' };
  }
  return null;
}

/**
 * A location named by its Teams locationId or by its name (the place; for an address's default
 * location the address's description; or the label as shown), case and surrounding spaces
 * ignored. Answers the location, or why none fits in words the operator can act on.
 */
export function matchLocation(locations: EmergencyLocationRow[], ref: string): EmergencyLocationRow | string {
  const wanted = ref.trim();
  const byId = locations.find((l) => l.locationId === wanted);
  if (byId) return byId;
  const lower = wanted.toLowerCase();
  const named = locations.filter((l) => (l.place ? l.place.toLowerCase() === lower : l.description.toLowerCase() === lower) || locationLabel(l).toLowerCase() === lower);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) return `More than one emergency location is named "${wanted}"; use its LocationId.`;
  return `"${wanted}" is not one of this tenant's emergency locations. Refresh or import them on the Emergency page first.`;
}

export async function tenantLocations(db: Db, tenantId: string): Promise<EmergencyLocationRow[]> {
  return db.select().from(emergencyLocations).where(eq(emergencyLocations.tenantId, tenantId));
}

/** matchLocation against the tenant's stored locations; an unknown or ambiguous name is a 400. */
export async function findEmergencyLocation(db: Db, tenantId: string, ref: string, field = 'locationId'): Promise<EmergencyLocationRow> {
  const found = matchLocation(await tenantLocations(db, tenantId), ref);
  if (typeof found === 'string') throw new ValidationError(found, [{ field, message: 'Unknown emergency location' }]);
  return found;
}
