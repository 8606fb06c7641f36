import { GraphClient, type GraphClientOptions } from './graph-client.ts';
import { TeamsError } from './errors.ts';
import { graphUser, numberAssignment, operation, page, policyIdAnswer, subscribedSku, userConfiguration, type GraphUser, type NumberAssignment, type NumberOperation, type SubscribedSku, type UserConfiguration } from './graph-schemas.ts';
import { requiredGraphPermissions, type TeamsPolicyType } from '../../core/policy-types.ts';

export type GraphNumberType = 'directRouting' | 'callingPlan' | 'operatorConnect';

const inventoryKindToGraph: Record<string, GraphNumberType | undefined> = {
  direct_routing: 'directRouting',
  calling_plan: 'callingPlan',
  operator_connect: 'operatorConnect',
};

export function graphNumberType(kind: string): GraphNumberType {
  const type = inventoryKindToGraph[kind];
  if (!type) throw new TeamsError('bad_request', `A ${kind.replace('_', ' ')} number cannot be assigned in Teams.`);
  return type;
}

export type ConnectionCheck = { ok: boolean; steps: Array<{ name: string; ok: boolean; message: string }>; missingPermissions: string[]; grantedPermissions: string[] };

/**
 * Orders that set a state ("this number on this user", "this policy on this user") are safe to
 * send twice: a retry after a timeout or reset changes nothing more. unassignNumber is not among
 * them — a second one fails with "not assigned" — so it is never re-sent blindly.
 */
const SAME_AGAIN = { idempotent: true };

/** "List numberAssignments": at most 1,000 entries per query (default 500). */
export const NUMBER_PAGE_SIZE = 1000;

const userFields = 'id,userPrincipalName,displayName,accountEnabled,usageLocation,assignedLicenses';

/** The Teams Phone operations UCR Manager performs, over one tenant's Graph client. */
export class TeamsApi {
  readonly client: GraphClient;

  constructor(options: GraphClientOptions | GraphClient) {
    this.client = options instanceof GraphClient ? options : new GraphClient(options);
  }

  /** This tenant's API for background jobs: shares the token and throttle gate, waits out every Retry-After. */
  forJobs(): TeamsApi {
    return new TeamsApi(this.client.forJobs());
  }

  listUsers(): Promise<GraphUser[]> {
    return this.client.collect(`/users?$select=${userFields}&$top=999`, graphUser, page);
  }

  async getUser(idOrUpn: string): Promise<GraphUser> {
    return (await this.client.request('GET', `/users/${encodeURIComponent(idOrUpn)}?$select=${userFields}`, graphUser)).data;
  }

  listUserConfigurations(): Promise<UserConfiguration[]> {
    return this.client.collect('/admin/teams/userConfigurations?$top=999', userConfiguration, page);
  }

  async getUserConfiguration(userId: string): Promise<UserConfiguration> {
    return (await this.client.request('GET', `/admin/teams/userConfigurations/${encodeURIComponent(userId)}`, userConfiguration)).data;
  }

  /** Every number of the tenant: `$top`/`$skip` paging, 1,000 (Graph's maximum) at a time. */
  listNumberAssignments(filter?: string): Promise<NumberAssignment[]> {
    const query = filter ? `?$filter=${encodeURIComponent(filter)}` : '';
    return this.client.collectBySkip(`/admin/teams/telephoneNumberManagement/numberAssignments${query}`, numberAssignment, page, { top: NUMBER_PAGE_SIZE, key: (n) => n.telephoneNumber });
  }

  async findNumber(e164: string): Promise<NumberAssignment | undefined> {
    return (await this.listNumberAssignments(`telephoneNumber eq '${e164.replace(/'/g, "''")}'`))[0];
  }

  /** Starts an asynchronous number order; returns the operation to poll. */
  async assignNumber(input: { telephoneNumber: string; userId: string; numberType: GraphNumberType; locationId?: string | undefined }): Promise<{ operationUrl: string }> {
    const result = await this.client.request('POST', '/admin/teams/telephoneNumberManagement/numberAssignments/assignNumber', undefined, {
      telephoneNumber: input.telephoneNumber,
      assignmentTargetId: input.userId,
      numberType: input.numberType,
      assignmentCategory: 'primary',
      ...(input.locationId ? { locationId: input.locationId } : {}),
    }, {}, SAME_AGAIN);
    return { operationUrl: this.operationLocation(result.headers) };
  }

  /**
   * updateNumber (Graph v1.0): sets the emergency location of a number; an empty string clears it.
   * Synchronous (200 OK, no body), and setting the same value twice changes nothing more.
   */
  async updateNumberLocation(input: { telephoneNumber: string; locationId: string | null }): Promise<void> {
    await this.client.request('POST', '/admin/teams/telephoneNumberManagement/numberAssignments/updateNumber', undefined, { telephoneNumber: input.telephoneNumber, locationId: input.locationId ?? '' }, {}, SAME_AGAIN);
  }

  async unassignNumber(input: { telephoneNumber: string; numberType: GraphNumberType }): Promise<{ operationUrl: string }> {
    const result = await this.client.request('POST', '/admin/teams/telephoneNumberManagement/numberAssignments/unassignNumber', undefined, input);
    return { operationUrl: this.operationLocation(result.headers) };
  }

  async getOperation(operationUrl: string): Promise<NumberOperation> {
    return (await this.client.request('GET', operationUrl, operation)).data;
  }

  async assignPolicy(userId: string, policyType: TeamsPolicyType, policyId: string): Promise<void> {
    await this.client.request('POST', '/admin/teams/policy/userAssignments/assign', undefined, { value: [{ userId, policyType, policyId }] }, {}, SAME_AGAIN);
  }

  async unassignPolicy(userId: string, policyType: TeamsPolicyType): Promise<void> {
    await this.client.request('POST', '/admin/teams/policy/userAssignments/unassign', undefined, { value: [{ userId, policyType }] }, {}, SAME_AGAIN);
  }

  /** The id of a named policy, or undefined when the tenant has no such policy. */
  async getPolicyId(policyType: TeamsPolicyType, name: string): Promise<string | undefined> {
    const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;
    try {
      const answer = await this.client.request('GET', `/admin/teams/policy/getPolicyId(type=${encodeURIComponent(quote(policyType))},name=${encodeURIComponent(quote(name))})`, policyIdAnswer);
      return answer.data.value[0]?.policyId;
    } catch (error) {
      if (error instanceof TeamsError && (error.graphStatus === 404 || error.graphStatus === 400)) return undefined;
      throw error;
    }
  }

  /** The tenant's subscriptions with their prepaid and consumed units (List subscribedSkus; LicenseAssignment.Read.All). */
  listSubscribedSkus(): Promise<SubscribedSku[]> {
    return this.client.collect('/subscribedSkus', subscribedSku, page);
  }

  /** user: assignLicense — both lists are required by Graph (empty is fine); LicenseAssignment.ReadWrite.All. */
  async assignLicense(userId: string, input: { add?: string[]; remove?: string[] }): Promise<void> {
    await this.client.request('POST', `/users/${encodeURIComponent(userId)}/assignLicense`, undefined, { addLicenses: (input.add ?? []).map((skuId) => ({ skuId, disabledPlans: [] })), removeLicenses: input.remove ?? [] });
  }

  /** Sets (or clears, with null) the user's usage location, which Graph needs before a licence can be assigned. */
  async setUsageLocation(userId: string, usageLocation: string | null): Promise<void> {
    await this.client.request('PATCH', `/users/${encodeURIComponent(userId)}`, undefined, { usageLocation }, {}, SAME_AGAIN);
  }

  /** Token, granted permissions and a read from Graph, each reported in plain words. */
  async testConnection(): Promise<ConnectionCheck> {
    const steps: ConnectionCheck['steps'] = [];
    let granted: string[] = [];
    try {
      granted = await this.client.grantedRoles();
      steps.push({ name: 'Sign in as the app', ok: true, message: 'Microsoft issued a token for the app.' });
    } catch (error) {
      steps.push({ name: 'Sign in as the app', ok: false, message: error instanceof Error ? error.message : String(error) });
      // Permissions were not checked: report none as missing rather than guess.
      return { ok: false, steps, missingPermissions: [], grantedPermissions: [] };
    }
    const missing = requiredGraphPermissions.filter((p) => !granted.includes(p.name));
    steps.push({
      name: 'Graph permissions',
      ok: missing.length === 0,
      message: missing.length === 0 ? 'All required application permissions are granted.' : `Missing (grant them with admin consent): ${missing.map((p) => `${p.name} — to ${p.why}`).join('; ')}.`,
    });
    try {
      await this.client.request('GET', `/users?$select=id&$top=1`, page);
      steps.push({ name: 'Read users', ok: true, message: 'Microsoft Graph answered.' });
    } catch (error) {
      steps.push({ name: 'Read users', ok: false, message: error instanceof Error ? error.message : String(error) });
    }
    return { ok: steps.every((s) => s.ok), steps, missingPermissions: missing.map((p) => p.name), grantedPermissions: granted };
  }

  private operationLocation(headers: Headers): string {
    const location = headers.get('location');
    if (!location) throw new TeamsError('unexpected_answer', 'Microsoft Graph accepted the order but did not say where to follow it (no Location header).');
    return location;
  }
}
