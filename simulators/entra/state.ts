import { randomUUID, X509Certificate } from 'node:crypto';
import { certificateThumbprints, createSelfSignedCertificate } from '../shared/self-signed-cert.ts';
import type { SelfSignedCertificate } from '../shared/self-signed-cert.ts';

export interface ClientSecret {
  id: string;
  value: string;
  expiresAt: Date | null;
}

export interface RegisteredCertificate {
  certificate: X509Certificate;
  x5tS256: string;
  x5t: string;
}

export interface AppRegistration {
  clientId: string;
  displayName: string;
  /** Object id of the app's service principal in the tenant (the `oid`/`sub` of its tokens). */
  servicePrincipalId: string;
  secrets: ClientSecret[];
  certificates: RegisteredCertificate[];
  /** Microsoft Graph application permissions granted with admin consent (become the token's `roles`). */
  graphPermissions: string[];
  redirectUris: string[];
}

export interface EntraUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  mail: string;
}

export interface EntraTenant {
  id: string;
  displayName: string;
  /** Verified domains; the first is the primary one. */
  domains: string[];
  apps: Map<string, AppRegistration>;
  users: EntraUser[];
}

export interface AuthorizationCode {
  code: string;
  tenantId: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  nonce: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  userId: string;
  expiresAt: number;
  redeemed: boolean;
}

export interface EntraState {
  tenants: Map<string, EntraTenant>;
  /** The simulator's token-signing key; its certificate is published in the JWKS. */
  signingKey: SelfSignedCertificate;
  codes: Map<string, AuthorizationCode>;
  /** jti of client assertions already used, with when they stop mattering (their exp). */
  usedAssertionIds: Map<string, number>;
  /** Header and claims of the last client assertions accepted (newest last, at most 50), for tests to read what a client sent. */
  acceptedAssertions: Array<{ header: Record<string, unknown>; payload: Record<string, unknown> }>;
  findTenant(idOrDomain: string): EntraTenant | undefined;
  addTenant(input: { id?: string; displayName: string; domains: string[] }): EntraTenant;
  addApp(tenantIdOrDomain: string, input: AppInput): AppRegistration;
  addUser(tenantIdOrDomain: string, input: Omit<EntraUser, 'id' | 'mail'> & { id?: string; mail?: string }): EntraUser;
}

export interface AppInput {
  clientId?: string;
  displayName?: string;
  secrets?: Array<string | { value: string; expiresAt?: Date | null; id?: string }>;
  /** PEM certificates (public part) uploaded to the registration. */
  certificates?: string[];
  graphPermissions?: string[];
  redirectUris?: string[];
}

export function registerCertificate(pem: string): RegisteredCertificate {
  const certificate = new X509Certificate(pem);
  return { certificate, ...certificateThumbprints(certificate) };
}

export function createEntraState(): EntraState {
  const tenants = new Map<string, EntraTenant>();
  const requireTenant = (idOrDomain: string): EntraTenant => {
    const tenant = state.findTenant(idOrDomain);
    if (!tenant) throw new Error(`unknown tenant ${idOrDomain}`);
    return tenant;
  };
  const state: EntraState = {
    tenants,
    signingKey: createSelfSignedCertificate({ commonName: 'accounts.accesscontrol.windows.net' }),
    codes: new Map(),
    usedAssertionIds: new Map(),
    acceptedAssertions: [],
    findTenant(idOrDomain) {
      const wanted = idOrDomain.toLowerCase();
      for (const tenant of tenants.values()) if (tenant.id === wanted || tenant.domains.some((domain) => domain.toLowerCase() === wanted)) return tenant;
      return undefined;
    },
    addTenant({ id = randomUUID(), displayName, domains }) {
      const tenant: EntraTenant = { id: id.toLowerCase(), displayName, domains, apps: new Map(), users: [] };
      tenants.set(tenant.id, tenant);
      return tenant;
    },
    addApp(tenantIdOrDomain, input) {
      const tenant = requireTenant(tenantIdOrDomain);
      const app: AppRegistration = {
        clientId: input.clientId ?? randomUUID(),
        displayName: input.displayName ?? 'UCR Manager',
        servicePrincipalId: randomUUID(),
        secrets: (input.secrets ?? []).map((secret) =>
          typeof secret === 'string' ? { id: randomUUID(), value: secret, expiresAt: null } : { id: secret.id ?? randomUUID(), value: secret.value, expiresAt: secret.expiresAt ?? null },
        ),
        certificates: (input.certificates ?? []).map(registerCertificate),
        graphPermissions: input.graphPermissions ?? [],
        redirectUris: input.redirectUris ?? [],
      };
      tenant.apps.set(app.clientId, app);
      return app;
    },
    addUser(tenantIdOrDomain, input) {
      const tenant = requireTenant(tenantIdOrDomain);
      const user: EntraUser = { id: input.id ?? randomUUID(), userPrincipalName: input.userPrincipalName, displayName: input.displayName, mail: input.mail ?? input.userPrincipalName };
      tenant.users.push(user);
      return user;
    },
  };
  return state;
}
