import type { Logger } from 'pino';
import { z } from 'zod';
import type { ThreeCxAuth } from './auth.ts';
import { odataString, ThreeCxClient, type ThreeCxClientOptions } from './client.ts';
import { pbxDid, pbxSystemStatus, pbxTrunk, pbxUser, userDeleteErrors, type PbxDid, type PbxSystemStatus, type PbxTrunk, type PbxUser, type TrunkFields, type UserDeleteError, type UserFields } from './schemas.ts';

export type UserQuery = { search?: string | undefined; top: number; skip: number };

/** The 3CX v20 XAPI operations UCR Manager performs: extensions (E1), DIDs (E2), trunks (E3). */
export class ThreeCxApi {
  readonly client: ThreeCxClient;

  constructor(options: { baseUrl: string; auth: ThreeCxAuth; log: Logger } & Partial<ThreeCxClientOptions>) {
    this.client = new ThreeCxClient(options);
  }

  /** One page of extensions ordered by number; the search matches number, names and email. */
  async listUsers(query: UserQuery): Promise<{ users: PbxUser[]; total: number }> {
    const term = query.search?.trim();
    const filter = term
      ? ['Number', 'FirstName', 'LastName', 'EmailAddress'].map((field) => `contains(tolower(${field}),${odataString(term.toLowerCase())})`).join(' or ')
      : undefined;
    const page = await this.client.page('Users', pbxUser, { $filter: filter, $orderby: 'Number', $top: query.top, $skip: query.skip, $count: true });
    return { users: page.items, total: page.total ?? page.items.length };
  }

  /** Every extension (paged underneath). */
  allUsers(): Promise<PbxUser[]> {
    return this.client.all('Users', pbxUser, { $orderby: 'Id' });
  }

  async getUser(id: number): Promise<PbxUser> {
    return (await this.client.request('GET', `Users(${id})`, pbxUser)).data;
  }

  async findUserByNumber(extension: string): Promise<PbxUser | undefined> {
    return (await this.client.page('Users', pbxUser, { $filter: `Number eq ${odataString(extension)}`, $top: 1 })).items[0];
  }

  async findUserByCallerId(number: string): Promise<PbxUser | undefined> {
    return (await this.client.page('Users', pbxUser, { $filter: `OutboundCallerID eq ${odataString(number)}`, $top: 1 })).items[0];
  }

  async createUser(fields: UserFields & { Number: string }): Promise<PbxUser> {
    return (await this.client.request('POST', 'Users', pbxUser, fields)).data;
  }

  /** The number is not among the fields: 3CX refuses to change an extension's Number. */
  async updateUser(id: number, fields: Omit<UserFields, 'Number'>): Promise<void> {
    await this.client.request('PATCH', `Users(${id})`, undefined, fields);
  }

  /**
   * Users/Pbx.BatchDelete (V20 swagger.yaml): body `{ "ids": [...] }`, lower-case. 3CX answers 200
   * even when it kept some users: each one it could not delete comes back as a UserDeleteError
   * { ExtensionNumber, Error }. Those are returned, so no caller takes a 2xx for "all deleted".
   */
  async deleteUsers(ids: number[]): Promise<UserDeleteError[]> {
    const { data } = await this.client.request('POST', 'Users/Pbx.BatchDelete', userDeleteErrors, { ids });
    // An empty body (204) carries no per-user errors.
    return data?.value ?? [];
  }

  listTrunks(): Promise<PbxTrunk[]> {
    return this.client.all('Trunks', pbxTrunk, { $orderby: 'Id' });
  }

  async getTrunk(id: number): Promise<PbxTrunk> {
    return (await this.client.request('GET', `Trunks(${id})`, pbxTrunk)).data;
  }

  async updateTrunk(id: number, fields: TrunkFields): Promise<void> {
    await this.client.request('PATCH', `Trunks(${id})`, undefined, fields);
  }

  /**
   * Every DID with its trunk. A Pbx.DidNumber carries TrunkId only (V20 swagger.yaml), so the
   * trunk's number is looked up from the trunks rather than read from the DID.
   */
  async listDids(): Promise<Array<PbxDid & { TrunkNumber: string | null }>> {
    const [dids, trunks] = [await this.client.all('DidNumbers', pbxDid, { $orderby: 'Number' }), await this.listTrunks()];
    const numberOf = new Map(trunks.map((t) => [t.Id, t.Number]));
    return dids.map((did) => ({ ...did, TrunkNumber: did.TrunkId != null ? (numberOf.get(did.TrunkId) ?? null) : null }));
  }

  /** 3CX has no API to create a DID on its own; this asks anyway so the PBX's own answer (405) is what the operator sees. */
  async createDid(number: string, trunkId: number): Promise<void> {
    await this.client.request('POST', 'DidNumbers', undefined, { Number: number, TrunkId: trunkId });
  }

  /** GET /SystemStatus (V20 swagger.yaml, GetSystemStatus): the PBX's version and its own totals. */
  async systemStatus(): Promise<PbxSystemStatus> {
    return (await this.client.request('GET', 'SystemStatus', pbxSystemStatus)).data;
  }

  /**
   * How many entities a collection holds: `$count=true` asks the PBX for `@odata.count` (the
   * swagger's `count` parameter and BaseCollectionPaginationCountResponse) with one row at most.
   * A PBX that leaves the count out is counted row by row instead.
   */
  async count(path: 'Users' | 'Trunks' | 'DidNumbers'): Promise<number> {
    const page = await this.client.page(path, z.object({}).passthrough(), { $top: 1, $count: true });
    return page.total ?? (await this.client.all(path, z.object({}).passthrough(), {})).length;
  }

  /** Who we are on the PBX and what is visible: the connection test. */
  async probe(): Promise<{ users: number; trunks: number; dids: number }> {
    const users = await this.client.page('Users', pbxUser, { $top: 1, $count: true, $select: 'Id,Number' });
    const trunks = await this.listTrunks();
    return { users: users.total ?? users.items.length, trunks: trunks.length, dids: trunks.reduce((n, t) => n + (t.DidNumbers?.length ?? 0), 0) };
  }
}
