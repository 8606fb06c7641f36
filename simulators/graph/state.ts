import { randomUUID } from 'node:crypto';
import { POLICY_TYPES, SKUS } from './catalog.ts';
import type { NumberType, PolicyType, SkuName } from './catalog.ts';

export type AccountType = 'user' | 'resourceAccount' | 'guest' | 'sfbOnPremUser' | 'unknown' | 'ineligibleUser';
export type ActivationState = 'activated' | 'assignmentPending' | 'assignmentFailed' | 'updatePending' | 'updateFailed';
export type AssignmentStatus = 'unassigned' | 'userAssigned' | 'conferenceAssigned' | 'voiceApplicationAssigned' | 'thirdPartyAppAssigned' | 'policyAssigned';

export interface PolicyAssignmentRecord {
  policyId: string;
  assignmentType: 'direct' | 'group';
  groupId: string | null;
}

export interface GraphUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  jobTitle: string | null;
  accountEnabled: boolean;
  usageLocation: string | null;
  licenses: SkuName[];
  accountType: AccountType;
  isEnterpriseVoiceEnabled: boolean;
  createdDateTime: string;
  modifiedDateTime: string;
  policies: Map<PolicyType, PolicyAssignmentRecord>;
  /** A resource account's voice application (New-CsOnlineApplicationInstance -ApplicationId); unset for seeded ones, which are auto attendant accounts. */
  applicationId?: string;
}

export interface NumberRecord {
  id: string;
  telephoneNumber: string;
  numberType: NumberType;
  activationState: ActivationState;
  assignmentStatus: AssignmentStatus;
  assignmentTargetId: string | null;
  assignmentCategory: 'primary' | 'private' | 'alternate' | null;
  isoCountryCode: string;
  capabilities: string[];
  locationId: string | null;
  civicAddressId: string | null;
  networkSiteId: string | null;
  operatorId: string | null;
  city: string | null;
  portInStatus: string | null;
  /** online (Microsoft / operator numbers) or onPremises (Direct Routing). */
  numberSource: 'online' | 'onPremises';
  reverseNumberLookupOptions: string[];
  supportedCustomerActions: string[];
}

export interface Policy {
  policyId: string;
  name: string;
  policyType: PolicyType;
}

/** telephoneNumberLongRunningOperationDetails: resourceLocation is the number's numberAssignment URL. */
export interface OperationNumber {
  resourceLocation: string;
  status: 'notStarted' | 'running' | 'succeeded' | 'failed' | 'skipped';
  statusDetail?: string;
}

export interface Operation {
  id: string;
  createdDateTime: string;
  status: 'notStarted' | 'running' | 'succeeded' | 'failed' | 'skipped';
  numbers: OperationNumber[];
}

/**
 * A civic address of the tenant's Location Information Service, as Get-CsOnlineLisCivicAddress
 * shows it (Teams PowerShell). Each address has a default location (DefaultLocationId) and may
 * have more places (New-CsOnlineLisLocation -Location).
 */
export interface CivicAddressRecord {
  civicAddressId: string;
  defaultLocationId: string;
  companyName: string;
  description: string;
  houseNumber: string;
  streetName: string;
  city: string;
  stateOrProvince: string;
  postalCode: string;
  countryOrRegion: string;
}

/** A location (Get-CsOnlineLisLocation): its LocationId is what a number's locationId names. Location is '' for an address's default. */
export interface LisLocationRecord {
  locationId: string;
  civicAddressId: string;
  location: string;
}

export interface GraphTenant {
  id: string;
  domain: string;
  civicAddresses: Map<string, CivicAddressRecord>;
  locations: Map<string, LisLocationRecord>;
  users: Map<string, GraphUser>;
  /** The tenant's telephone number inventory, keyed by E.164. */
  numbers: Map<string, NumberRecord>;
  policies: Map<PolicyType, Policy[]>;
  operations: Map<string, Operation>;
  /** The tenant's subscriptions: enabled prepaid units per SKU (consumed units are counted from the users). */
  subscriptions: Map<SkuName, { enabled: number }>;
  /** Auto attendants and call queues, kept as Get-CsAutoAttendant / Get-CsCallQueue show them (PascalCase, enums as strings). */
  autoAttendants: Map<string, Record<string, unknown>>;
  callQueues: Map<string, Record<string, unknown>>;
}

export interface GraphState {
  tenants: Map<string, GraphTenant>;
  /** Timers of running number operations, cleared by close(). */
  timers: Set<NodeJS.Timeout>;
  addTenant(input: { id: string; domain: string }): GraphTenant;
}

/** consumedUnits of a SKU: the users holding it (subscribedSku: "The number of licenses that have been assigned"). */
export const consumedUnits = (tenant: GraphTenant, sku: SkuName): number => [...tenant.users.values()].filter((u) => u.licenses.includes(sku)).length;

export const featureTypesOf = (user: GraphUser): string[] => [...new Set(user.licenses.flatMap((sku) => SKUS[sku].features))];

export function findUser(tenant: GraphTenant, idOrUpn: string): GraphUser | undefined {
  const direct = tenant.users.get(idOrUpn);
  if (direct) return direct;
  const wanted = idOrUpn.toLowerCase();
  for (const user of tenant.users.values()) if (user.userPrincipalName.toLowerCase() === wanted) return user;
  return undefined;
}

export function addUser(tenant: GraphTenant, input: Partial<GraphUser> & Pick<GraphUser, 'userPrincipalName' | 'displayName'>): GraphUser {
  const now = new Date().toISOString();
  const user: GraphUser = {
    id: randomUUID(),
    givenName: null,
    surname: null,
    mail: input.userPrincipalName,
    jobTitle: null,
    accountEnabled: true,
    usageLocation: 'US',
    licenses: ['E5'],
    accountType: 'user',
    isEnterpriseVoiceEnabled: false,
    createdDateTime: now,
    modifiedDateTime: now,
    policies: new Map(),
    ...input,
  };
  tenant.users.set(user.id, user);
  return user;
}

/** Graph's numberAssignment id: base64url of "{tenantId}|{E.164 number}". */
export const numberAssignmentId = (tenantId: string, telephoneNumber: string): string => Buffer.from(`${tenantId}|${telephoneNumber}`).toString('base64url');

const CAPABILITIES: Record<NumberType, string[]> = {
  directRouting: ['conferenceAssignment', 'voiceApplicationAssignment', 'userAssignment'],
  callingPlan: ['userAssignment'],
  operatorConnect: ['voiceApplicationAssignment', 'userAssignment'],
  internalCalling: ['userAssignment'],
};

export function addNumber(tenant: GraphTenant, input: Partial<Omit<NumberRecord, 'id'>> & Pick<NumberRecord, 'telephoneNumber' | 'numberType'>): NumberRecord {
  const record: NumberRecord = {
    id: numberAssignmentId(tenant.id, input.telephoneNumber),
    activationState: 'activated',
    assignmentStatus: 'unassigned',
    assignmentTargetId: null,
    assignmentCategory: null,
    isoCountryCode: 'US',
    capabilities: CAPABILITIES[input.numberType],
    locationId: null,
    civicAddressId: null,
    networkSiteId: null,
    operatorId: null,
    city: null,
    portInStatus: null,
    numberSource: input.numberType === 'directRouting' ? 'onPremises' : 'online',
    reverseNumberLookupOptions: [],
    supportedCustomerActions: ['locationUpdate'],
    ...input,
  };
  tenant.numbers.set(record.telephoneNumber, record);
  return record;
}

/** New-CsOnlineLisCivicAddress: the address and its default location ("creating a new civic address also creates a default location"). */
export function addCivicAddress(tenant: GraphTenant, input: Partial<CivicAddressRecord> & Pick<CivicAddressRecord, 'companyName' | 'countryOrRegion'>): CivicAddressRecord {
  const address: CivicAddressRecord = { civicAddressId: randomUUID(), defaultLocationId: randomUUID(), description: '', houseNumber: '', streetName: '', city: '', stateOrProvince: '', postalCode: '', ...input };
  tenant.civicAddresses.set(address.civicAddressId, address);
  tenant.locations.set(address.defaultLocationId, { locationId: address.defaultLocationId, civicAddressId: address.civicAddressId, location: '' });
  return address;
}

/** New-CsOnlineLisLocation -CivicAddressId -Location: one more place at an existing address; undefined when the address is unknown. */
export function addLisLocation(tenant: GraphTenant, civicAddressId: string, place: string, locationId: string = randomUUID()): LisLocationRecord | undefined {
  if (!tenant.civicAddresses.has(civicAddressId)) return undefined;
  const location = { locationId, civicAddressId, location: place };
  tenant.locations.set(locationId, location);
  return location;
}

/** Adds a named policy instance; the id is a GUID as getPolicyId returns it. */
export function addPolicy(tenant: GraphTenant, policyType: PolicyType, name: string, policyId: string = randomUUID()): Policy {
  const policy: Policy = { policyId, name, policyType };
  tenant.policies.get(policyType)?.push(policy);
  return policy;
}

export function createGraphState(): GraphState {
  const tenants = new Map<string, GraphTenant>();
  return {
    tenants,
    timers: new Set(),
    addTenant({ id, domain }) {
      const tenant: GraphTenant = { id: id.toLowerCase(), domain, civicAddresses: new Map(), locations: new Map(), users: new Map(), numbers: new Map(), policies: new Map(), operations: new Map(), subscriptions: new Map(), autoAttendants: new Map(), callQueues: new Map() };
      // Every tenant has the built-in Global instance of each policy type.
      for (const type of POLICY_TYPES) tenant.policies.set(type, [{ policyId: randomUUID(), name: 'Global', policyType: type }]);
      tenants.set(tenant.id, tenant);
      return tenant;
    },
  };
}
