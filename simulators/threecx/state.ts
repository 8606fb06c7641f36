import { randomBytes } from 'node:crypto';

// In-memory 3CX v20 PBX: extensions (Users), SIP trunks with DIDs, API clients and admins.

/** Pbx.VMEmailOptionsType of V20's swagger.yaml (3cx/xapi-tutorial). */
export const VM_EMAIL_OPTIONS = ['None', 'Notification', 'Attachment', 'AttachmentAndDelete', 'VmailToMembers', 'EmailToExtrasOnly'] as const;
export type VMEmailOption = (typeof VM_EMAIL_OPTIONS)[number];

export interface UserGroup {
  GroupId: number;
  Name: string;
  Rights: { RoleName: string };
}

export interface PbxUser {
  Id: number;
  Number: string;
  FirstName: string;
  LastName: string;
  DisplayName: string;
  EmailAddress: string;
  Mobile: string;
  OutboundCallerID: string;
  Language: string;
  Require2FA: boolean;
  SendEmailMissedCalls: boolean;
  VMEmailOptions: VMEmailOption;
  Enabled: boolean;
  Groups: UserGroup[];
  AuthID: string;
}

export interface Trunk {
  Id: number;
  Number: string;
  Gateway: { Id: number; Name: string; Host: string; Port: number; Type: 'Provider' | 'Gateway' | 'Bridge' };
  AuthID: string;
  ExternalNumber: string;
  SimultaneousCalls: number;
  Direction: 'Both' | 'Inbound' | 'Outbound';
  IsOnline: boolean;
  DidNumbers: string[];
}

export interface ApiClient {
  clientId: string;
  clientSecret: string;
}

export interface Admin {
  username: string;
  password: string;
  /** When set, sign-in needs this code (the simulator's stand-in for a TOTP). */
  securityCode: string | null;
}

export interface IssuedToken {
  expiresAt: number;
  subject: string;
}

export interface ThreeCxState {
  fqdn: string;
  /** The PBX's version as its SystemStatus reports it (Pbx.SystemStatus.Version, V20 swagger.yaml). */
  version: string;
  users: PbxUser[];
  trunks: Trunk[];
  groups: Array<{ Id: number; Name: string }>;
  apiClients: ApiClient[];
  admins: Admin[];
  accessTokens: Map<string, IssuedToken>;
  refreshTokens: Map<string, string>;
  /** Access tokens issued since start (the shared-token proof counts them). */
  tokensIssued: number;
  /** XAPI calls answered 401 (unknown, revoked or expired token). */
  tokensRejected: number;
  /** The PBX's clock (epoch ms): tests may drive it to live through token lifetimes without waiting. */
  now: () => number;
  /** Extension numbers whose deletion the PBX refuses (a per-user UserDeleteError), with the error text. */
  undeletable: Map<string, string>;
  nextUserId(): number;
}

export function createThreeCxState(fqdn = 'pbx.contoso.example'): ThreeCxState {
  let userId = 100;
  return {
    fqdn,
    version: '20.0.9.1012',
    users: [],
    trunks: [],
    groups: [{ Id: 28, Name: 'DEFAULT' }],
    apiClients: [],
    admins: [],
    accessTokens: new Map(),
    refreshTokens: new Map(),
    tokensIssued: 0,
    tokensRejected: 0,
    now: () => Date.now(),
    undeletable: new Map(),
    nextUserId: () => ++userId,
  };
}

export const newToken = (): string => randomBytes(32).toString('base64url');

/** Default values 3CX fills in for a new extension. */
export function userDefaults(id: number, number: string): PbxUser {
  return {
    Id: id,
    Number: number,
    FirstName: '',
    LastName: '',
    DisplayName: '',
    EmailAddress: '',
    Mobile: '',
    OutboundCallerID: '',
    Language: 'EN',
    Require2FA: false,
    SendEmailMissedCalls: true,
    VMEmailOptions: 'Notification',
    Enabled: true,
    Groups: [{ GroupId: 28, Name: 'DEFAULT', Rights: { RoleName: 'users' } }],
    AuthID: randomBytes(5).toString('hex'),
  };
}
