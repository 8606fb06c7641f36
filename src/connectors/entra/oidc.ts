import { createPrivateKey } from 'node:crypto';
import * as oidc from 'openid-client';
import { certificateThumbprints, type CertificatePair } from '../shared/app-certificates.ts';

/**
 * OpenID Connect client for operator sign-in against the MSP's own Entra ID tenant
 * (authorization code + PKCE; the app proves itself with a client secret or a certificate). openid-client does the protocol work: state,
 * PKCE, the code exchange, and ID token validation (signature against the tenant's JWKS,
 * issuer, audience, expiry, nonce). On top of that we pin the tenant: the discovered issuer
 * must be this authority's `/{tenant GUID}/v2.0`, and the token's `tid` must be that GUID.
 */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SCOPE = 'openid profile email';
const TIMEOUT_SECONDS = 10;

/** Who Entra ID says signed in, taken from a validated ID token. */
export type EntraIdentity = {
  /** `oid`: the person's immutable object id in the tenant. */
  objectId: string;
  tenantId: string;
  /** `email`, else `preferred_username`, lower-cased; undefined when neither looks like an address. */
  email: string | undefined;
  displayName: string | undefined;
};

export type EntraFailureReason = 'unavailable' | 'rejected' | 'wrong_tenant' | 'invalid_token';

/** A failed sign-in step. `detail` is safe to log and audit: it never carries a code or token. */
export class EntraSignInError extends Error {
  readonly reason: EntraFailureReason;
  constructor(reason: EntraFailureReason, detail: string) {
    super(detail);
    this.reason = reason;
  }
}

/** How the sign-in app proves itself at the token endpoint. */
export type EntraClientCredential = { kind: 'secret'; clientSecret: string } | ({ kind: 'certificate' } & CertificatePair);

export type EntraClientConfig = {
  /** Tenant GUID or verified domain of the MSP's own Entra ID tenant. */
  tenant: string;
  clientId: string;
  /** Base URL of the identity platform, without a trailing slash. */
  authority: string;
  credential: EntraClientCredential;
};

export type EntraOidc = {
  authorizationUrl(input: { redirectUri: string; state: string; nonce: string; codeVerifier: string; loginHint?: string | undefined }): Promise<URL>;
  /** Exchanges the code of a callback and returns the validated identity. */
  redeem(input: { callbackUrl: URL; state: string; nonce: string; codeVerifier: string }): Promise<EntraIdentity>;
};

export function createEntraOidc(config: EntraClientConfig): EntraOidc {
  const wellKnown = new URL(`${config.authority}/${encodeURIComponent(config.tenant)}/v2.0/.well-known/openid-configuration`);
  let discovered: Promise<{ configuration: oidc.Configuration; tenantId: string }> | undefined;

  /**
   * Discovery runs on first use and is kept; a failure is not kept, so the next sign-in tries
   * again. The document is fetched from the configured tenant's own well-known URL (a tenant
   * given as a domain answers with the GUID issuer, which openid-client's generic issuer
   * comparison would refuse), and the issuer is then checked here instead.
   */
  function discover() {
    discovered ??= (async () => {
      let configuration: oidc.Configuration;
      try {
        configuration = await oidc.discovery(wellKnown, config.clientId, undefined, clientAuthentication(config.credential), {
          timeout: TIMEOUT_SECONDS,
          // Plain http is accepted by the configuration only for localhost (the simulator).
          execute: wellKnown.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
        });
      } catch (error) {
        throw new EntraSignInError('unavailable', `OpenID discovery at ${wellKnown.href} failed: ${describeError(error)}`);
      }
      const issuer = configuration.serverMetadata().issuer;
      const match = new RegExp(`^${escapeRegExp(config.authority)}/([^/]+)/v2\\.0/?$`).exec(issuer);
      const tenantId = match?.[1]?.toLowerCase();
      if (!tenantId || !GUID.test(tenantId) || (GUID.test(config.tenant) && tenantId !== config.tenant.toLowerCase())) {
        throw new EntraSignInError('unavailable', `The discovery document of ${wellKnown.href} names issuer ${issuer}, which is not ${config.authority}/<tenant id>/v2.0 of the configured tenant.`);
      }
      return { configuration, tenantId };
    })();
    return discovered.catch((error: unknown) => {
      discovered = undefined;
      throw error;
    });
  }

  return {
    async authorizationUrl({ redirectUri, state, nonce, codeVerifier, loginHint }) {
      const { configuration } = await discover();
      return oidc.buildAuthorizationUrl(configuration, {
        redirect_uri: redirectUri,
        scope: SCOPE,
        response_type: 'code',
        response_mode: 'query',
        state,
        nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        ...(loginHint ? { login_hint: loginHint } : {}),
      });
    },

    async redeem({ callbackUrl, state, nonce, codeVerifier }) {
      const { configuration, tenantId } = await discover();
      let claims: oidc.IDToken | undefined;
      try {
        const tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
        claims = tokens.claims();
      } catch (error) {
        throw new EntraSignInError(isNetworkFailure(error) ? 'unavailable' : 'rejected', `The code exchange or ID token check failed: ${describeError(error)}`);
      }
      if (!claims) throw new EntraSignInError('invalid_token', 'The token answer carried no ID token.');
      const tid = typeof claims.tid === 'string' ? claims.tid.toLowerCase() : undefined;
      if (tid !== tenantId) throw new EntraSignInError('wrong_tenant', `The ID token is for tenant ${tid ?? '(none)'}, not the configured tenant ${tenantId}.`);
      const oid = typeof claims.oid === 'string' ? claims.oid : undefined;
      if (!oid) throw new EntraSignInError('invalid_token', 'The ID token has no oid claim.');
      return {
        objectId: oid.toLowerCase(),
        tenantId: tid,
        email: emailFrom(claims.email) ?? emailFrom(claims.preferred_username),
        displayName: typeof claims.name === 'string' && claims.name.trim() !== '' ? claims.name.trim().slice(0, 200) : undefined,
      };
    },
  };
}

/**
 * client_secret_post, or private_key_jwt with a certificate as Microsoft's "certificate credentials"
 * page asks (learn.microsoft.com/entra/identity-platform/certificate-credentials): header `alg`
 * PS256 (the key is imported as RSA-PSS, so oauth4webapi signs PS256), `typ` JWT and `x5t#S256`
 * (the certificate's SHA-256 thumbprint); claims `aud` = the token endpoint (oauth4webapi's default
 * is the issuer, which Entra refuses with AADSTS700023), `iss` = `sub` = client id, `jti`, `nbf`,
 * `exp`. The authorization code flow takes the same `client_assertion_type` and `client_assertion`
 * parameters in place of `client_secret` (learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow).
 */
function clientAuthentication(credential: EntraClientCredential): oidc.ClientAuth {
  if (credential.kind === 'secret') return oidc.ClientSecretPost(credential.clientSecret);
  const x5tS256 = certificateThumbprints(credential.certificatePem).x5tS256;
  // Node's webcrypto CryptoKey and the DOM lib's differ only in newer key usages.
  const key = createPrivateKey(credential.privateKeyPem).toCryptoKey({ name: 'RSA-PSS', hash: 'SHA-256' }, false, ['sign']) as unknown as CryptoKey;
  return (as, client, body, headers) =>
    oidc.PrivateKeyJwt(key, {
      [oidc.modifyAssertion]: (header, payload) => {
        header.typ = 'JWT';
        header['x5t#S256'] = x5tS256;
        if (as.token_endpoint) payload.aud = as.token_endpoint;
      },
    })(as, client, body, headers);
}

function emailFrom(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const email = value.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) && email.length <= 254 ? email : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isNetworkFailure(error: unknown): boolean {
  const text = error instanceof Error ? `${error.name} ${error.message} ${String((error as { cause?: unknown }).cause ?? '')}` : '';
  return /fetch failed|ECONNREFUSED|ENOTFOUND|ETIMEDOUT|TimeoutError|aborted/i.test(text);
}

/**
 * A loggable description of an openid-client or oauth4webapi error: its code, the OAuth error
 * and Entra's description (AADSTS code and text). Never the error's `cause` body or request,
 * which could hold a code or token.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const e = error as Error & { code?: unknown; error?: unknown; error_description?: unknown; status?: unknown };
  const parts = [e.message];
  if (typeof e.code === 'string') parts.push(`(${e.code})`);
  if (typeof e.error === 'string') parts.push(`[${e.error}${typeof e.error_description === 'string' ? `: ${e.error_description.split(/\r?\n/)[0]?.slice(0, 300)}` : ''}]`);
  if (typeof e.status === 'number') parts.push(`HTTP ${e.status}`);
  return parts.join(' ');
}

/** Fresh state, nonce and PKCE verifier for one sign-in (256 bits of randomness each). */
export function newFlowSecrets(): { state: string; nonce: string; codeVerifier: string } {
  return { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
}
