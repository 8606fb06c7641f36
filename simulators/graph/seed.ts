import { seededRandom } from '../shared/seeded-random.ts';
import { SKUS, type PolicyType, type SkuName } from './catalog.ts';
import { addCivicAddress, addLisLocation, addNumber, addPolicy, addUser, consumedUnits } from './state.ts';
import type { CivicAddressRecord, GraphState, GraphTenant, GraphUser } from './state.ts';

// Deterministic tenants for tests, the demo and benchmarks: the same seed gives the same
// users, ids, numbers and policies every time.

export type UserProfile = 'voiceDirectRouting' | 'voiceCallingPlan' | 'readyForVoice' | 'noUsageLocation' | 'unlicensed' | 'disabled' | 'resourceAccount' | 'guest';

export interface SeedOptions {
  tenantId: string;
  domain: string;
  userCount: number;
  seed?: number;
  /** Free Direct Routing numbers uploaded beyond those in use (default: 40% of userCount). */
  spareNumbers?: number;
  /** The tenant's emergency addresses (default: a Redmond head office with a "Floor 2" place, and a London office, ids from the seed). */
  emergencyAddresses?: SeedAddress[];
  /** Unassigned units of every SKU the tenant subscribes to (default 5). */
  spareLicences?: number;
}

export type SeedAddress = Omit<CivicAddressRecord, 'civicAddressId' | 'defaultLocationId'> & { civicAddressId?: string; defaultLocationId?: string; places?: Array<{ locationId?: string; location: string }> };

const DEFAULT_ADDRESSES: SeedAddress[] = [
  { companyName: 'Contoso', description: 'Redmond HQ', houseNumber: '1', streetName: 'Demo Way', city: 'Redmond', stateOrProvince: 'WA', postalCode: '98052', countryOrRegion: 'US', places: [{ location: 'Floor 2' }] },
  { companyName: 'Contoso', description: 'London Office', houseNumber: '10', streetName: 'Example Street', city: 'London', stateOrProvince: '', postalCode: 'EC1A 1AA', countryOrRegion: 'GB' },
];

export interface SeededTenant {
  tenant: GraphTenant;
  byProfile: Record<UserProfile, GraphUser[]>;
  /** Uploaded, unassigned Direct Routing numbers. */
  freeDirectRoutingNumbers: string[];
}

const FIRST = ['Ada', 'Alan', 'Grace', 'Linus', 'Margaret', 'Dennis', 'Barbara', 'Ken', 'Frances', 'Edsger', 'Radia', 'Tim', 'Hedy', 'Donald', 'Katherine', 'John', 'Annie', 'Guido', 'Sophie', 'Niklaus'];
const LAST = ['Lovelace', 'Turing', 'Hopper', 'Torvalds', 'Hamilton', 'Ritchie', 'Liskov', 'Thompson', 'Allen', 'Dijkstra', 'Perlman', 'Berners-Lee', 'Lamarr', 'Knuth', 'Johnson', 'McCarthy', 'Easley', 'van Rossum', 'Wilson', 'Wirth'];
const TITLES = ['Engineer', 'Sales Manager', 'Receptionist', 'Accountant', 'Support Agent', 'Director', null];

/** Named policy instances each tenant gets besides Global. */
export const SEEDED_POLICIES: Record<PolicyType, string[]> = {
  OnlineVoiceRoutingPolicy: ['US-International', 'US-Domestic', 'UK-National'],
  TenantDialPlan: ['US-Redmond', 'UK-London'],
  TeamsCallingPolicy: ['AllowCalling', 'DisallowCalling'],
  CallingLineIdentity: ['MainLine', 'Anonymous'],
  TeamsCallHoldPolicy: ['CustomHoldMusic'],
  TeamsEmergencyCallingPolicy: ['Notify-Security'],
  TeamsEmergencyCallRoutingPolicy: ['US-911'],
  TeamsMeetingPolicy: ['RestrictedMeetings'],
  TeamsVoiceApplicationsPolicy: ['FrontDesk'],
  OnlineVoicemailPolicy: ['TranscriptionOff'],
  OnlineAudioConferencingRoutingPolicy: ['ConfRouting-US'],
  TeamsAudioConferencingPolicy: ['TollFree-US'],
  TeamsCallParkPolicy: ['ParkAllowed'],
};

function pickProfile(roll: number): UserProfile {
  if (roll < 0.35) return 'voiceDirectRouting';
  if (roll < 0.45) return 'voiceCallingPlan';
  if (roll < 0.63) return 'readyForVoice';
  if (roll < 0.71) return 'noUsageLocation';
  if (roll < 0.86) return 'unlicensed';
  if (roll < 0.91) return 'disabled';
  if (roll < 0.96) return 'resourceAccount';
  return 'guest';
}

const LICENSES: Record<UserProfile, SkuName[]> = {
  voiceDirectRouting: ['E5'],
  voiceCallingPlan: ['E3', 'TeamsPhoneStandard', 'DomesticCallingPlan'],
  readyForVoice: ['E5'],
  noUsageLocation: ['E5'],
  unlicensed: ['E3'],
  disabled: ['E5'],
  resourceAccount: ['TeamsPhoneResourceAccount'],
  guest: [],
};

export function seedGraphTenant(state: GraphState, options: SeedOptions): SeededTenant {
  const random = seededRandom(options.seed ?? 1);
  const tenant = state.addTenant({ id: options.tenantId, domain: options.domain });
  // Deterministic ids for Global and the named policies too.
  for (const [type, names] of Object.entries(SEEDED_POLICIES) as Array<[PolicyType, string[]]>) {
    const global = tenant.policies.get(type)?.[0];
    if (global) global.policyId = random.uuid();
    for (const name of names) addPolicy(tenant, type, name, random.uuid());
  }
  const policyId = (type: PolicyType, name: string): string => tenant.policies.get(type)?.find((policy) => policy.name === name)?.policyId ?? '';

  const byProfile: Record<UserProfile, GraphUser[]> = {
    voiceDirectRouting: [], voiceCallingPlan: [], readyForVoice: [], noUsageLocation: [], unlicensed: [], disabled: [], resourceAccount: [], guest: [],
  };
  let nextUs = 1000;
  let nextUk = 1000;
  let nextCp = 2000;
  const baseDate = Date.UTC(2023, 0, 1);
  const usedUpns = new Set<string>();

  for (let index = 0; index < options.userCount; index += 1) {
    const profile = pickProfile(random.next());
    const first = random.pick(FIRST);
    const last = random.pick(LAST);
    const uk = random.chance(0.2);
    let alias = `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '');
    if (profile === 'resourceAccount') alias = `ra-${random.pick(['reception', 'sales', 'support', 'billing'])}`;
    let upn = profile === 'guest' ? `${alias}_partner.example#EXT#@${options.domain}` : `${alias}@${options.domain}`;
    for (let n = 2; usedUpns.has(upn); n += 1) upn = upn.replace(/^([^@#]+?)(\d*)([@_])/, `$1${n}$3`);
    usedUpns.add(upn);
    const created = new Date(baseDate + index * 3600_000).toISOString();
    const user = addUser(tenant, {
      id: random.uuid(),
      userPrincipalName: upn,
      displayName: profile === 'resourceAccount' ? `RA ${alias.slice(3)} ${index}` : `${first} ${last}`,
      givenName: profile === 'resourceAccount' ? null : first,
      surname: profile === 'resourceAccount' ? null : last,
      mail: profile === 'guest' ? `${alias}@partner.example` : upn,
      jobTitle: random.pick(TITLES),
      accountEnabled: profile !== 'disabled',
      usageLocation: profile === 'noUsageLocation' || profile === 'guest' ? null : uk ? 'GB' : 'US',
      licenses: LICENSES[profile],
      accountType: profile === 'resourceAccount' ? 'resourceAccount' : profile === 'guest' ? 'guest' : 'user',
      createdDateTime: created,
      modifiedDateTime: created,
    });
    byProfile[profile].push(user);

    if (profile === 'voiceDirectRouting' || (profile === 'resourceAccount' && random.chance(0.5))) {
      const telephoneNumber = uk ? `+4420794${nextUk++}` : `+1425555${nextUs++}`;
      addNumber(tenant, {
        telephoneNumber,
        numberType: 'directRouting',
        isoCountryCode: uk ? 'GB' : 'US',
        assignmentStatus: profile === 'resourceAccount' ? 'voiceApplicationAssigned' : 'userAssigned',
        assignmentTargetId: user.id,
        assignmentCategory: 'primary',
        city: uk ? 'London' : 'Redmond',
      });
      user.isEnterpriseVoiceEnabled = true;
    }
    if (profile === 'voiceCallingPlan') {
      addNumber(tenant, {
        telephoneNumber: `+1206555${nextCp++}`,
        numberType: 'callingPlan',
        assignmentStatus: 'userAssigned',
        assignmentTargetId: user.id,
        assignmentCategory: 'primary',
        city: 'Seattle',
        locationId: random.uuid(),
      });
      user.isEnterpriseVoiceEnabled = true;
    }
    if (profile === 'voiceDirectRouting') {
      user.policies.set('OnlineVoiceRoutingPolicy', { policyId: policyId('OnlineVoiceRoutingPolicy', uk ? 'UK-National' : random.pick(['US-International', 'US-Domestic'])), assignmentType: 'direct', groupId: null });
      user.policies.set('TenantDialPlan', { policyId: policyId('TenantDialPlan', uk ? 'UK-London' : 'US-Redmond'), assignmentType: 'direct', groupId: null });
      if (random.chance(0.3)) user.policies.set('CallingLineIdentity', { policyId: policyId('CallingLineIdentity', 'MainLine'), assignmentType: 'group', groupId: random.uuid() });
      if (random.chance(0.2)) user.policies.set('TeamsCallingPolicy', { policyId: policyId('TeamsCallingPolicy', 'AllowCalling'), assignmentType: 'direct', groupId: null });
    }
    if (profile === 'resourceAccount') user.policies.set('TeamsVoiceApplicationsPolicy', { policyId: policyId('TeamsVoiceApplicationsPolicy', 'FrontDesk'), assignmentType: 'direct', groupId: null });
  }

  const spare = options.spareNumbers ?? Math.ceil(options.userCount * 0.4);
  const freeDirectRoutingNumbers: string[] = [];
  for (let i = 0; i < spare; i += 1) {
    const telephoneNumber = `+1425555${nextUs++}`;
    addNumber(tenant, {
        telephoneNumber, numberType: 'directRouting', city: 'Redmond' });
    freeDirectRoutingNumbers.push(telephoneNumber);
  }
  for (let i = 0; i < 5; i += 1) addNumber(tenant, {
        telephoneNumber: `+1206555${nextCp++}`, numberType: 'callingPlan', city: 'Seattle' });
  for (let i = 0; i < 5; i += 1) addNumber(tenant, {
        telephoneNumber: `+1312555${1000 + i}`, numberType: 'operatorConnect', city: 'Chicago', operatorId: '4a2c0f3e-0000-4000-8000-000000000001' });
  // Emergency addresses come last, so the users and numbers above stay what each seed always gave.
  for (const { places = [], ...input } of options.emergencyAddresses ?? DEFAULT_ADDRESSES) {
    const address = addCivicAddress(tenant, { ...input, civicAddressId: input.civicAddressId ?? random.uuid(), defaultLocationId: input.defaultLocationId ?? random.uuid() });
    for (const place of places) addLisLocation(tenant, address.civicAddressId, place.location, place.locationId ?? random.uuid());
  }
  // Calling Plan numbers carry an emergency location in Teams: the first address's default.
  const first = [...tenant.civicAddresses.values()][0];
  for (const number of tenant.numbers.values()) if (number.locationId) number.locationId = first?.defaultLocationId ?? null;
  // Subscriptions: what the users hold plus a few spare units of each, as a real tenant has.
  for (const sku of Object.keys(SKUS) as SkuName[]) tenant.subscriptions.set(sku, { enabled: consumedUnits(tenant, sku) + (options.spareLicences ?? 5) });
  return { tenant, byProfile, freeDirectRoutingNumbers };
}
