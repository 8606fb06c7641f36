import { clientAssertion } from '../shared/app-certificates.ts';
import { describeNetworkError, NetworkError, resilientFetch } from '../shared/resilient-fetch.ts';
import type { EntraClientCredential } from './oidc.ts';

/**
 * Proves a client id and secret without a person signing in: a client-credentials token request
 * (Microsoft identity platform, "OAuth 2.0 client credentials flow": `grant_type=client_credentials`,
 * `scope={resource}/.default`, `client_secret`). Microsoft Graph is the resource every tenant has;
 * the token is thrown away. With a certificate, `client_assertion_type` + `client_assertion` (a PS256
 * JWT with `x5t#S256`, aud = this token endpoint; learn.microsoft.com/entra/identity-platform/certificate-credentials)
 * replace the secret. Refusals carry an AADSTS code in `error_description` (AADSTS7000215:
 * invalid client secret; AADSTS700016: application not found in the directory), shown as given.
 */
export async function checkClientCredentials(tokenEndpoint: string, clientId: string, credential: EntraClientCredential, timeoutMs: number): Promise<{ ok: boolean; message: string }> {
  const proof: Record<string, string> =
    credential.kind === 'secret'
      ? { client_secret: credential.clientSecret }
      : { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: clientAssertion({ clientId, ...credential }, tokenEndpoint) };
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, ...proof, scope: 'https://graph.microsoft.com/.default' }).toString();
  let answer;
  try {
    // A POST that timed out is not repeated: the check is cheap to run again by hand.
    answer = await resilientFetch(tokenEndpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body }, { policy: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, timeoutMs } });
  } catch (error) {
    return { ok: false, message: `The token endpoint (${new URL(tokenEndpoint).host}) could not be reached: ${error instanceof NetworkError ? error.message : describeNetworkError(error)}.` };
  }
  let parsed: { access_token?: unknown; error?: unknown; error_description?: unknown } | undefined;
  try {
    parsed = JSON.parse(answer.text) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  if (answer.status === 200 && typeof parsed?.access_token === 'string') return { ok: true, message: credential.kind === 'secret' ? 'Entra ID accepted the client id and secret.' : 'Entra ID accepted the client id and certificate.' };
  const description = typeof parsed?.error_description === 'string' ? parsed.error_description.split(/\r?\n/)[0]!.slice(0, 500) : `HTTP ${answer.status}`;
  const code = /AADSTS\d+/.exec(description)?.[0];
  const hint = code === 'AADSTS700027' ? ' The certificate is not on the app registration (or has expired there): download the .cer and upload it under Certificates & secrets → Certificates.' : code === 'AADSTS7000215' ? ' The secret is wrong or expired: copy the secret\'s Value (not its ID) from Certificates & secrets.' : code === 'AADSTS700016' ? ' No app with this client id in the tenant: copy the Application (client) ID from the app registration\'s Overview.' : '';
  const refused = credential.kind === 'secret' ? `Entra ID refused the client id and secret: ${description}.` : `Entra ID refused the client id and certificate: ${description}.`;
  return { ok: false, message: `${refused}${hint}` };
}
