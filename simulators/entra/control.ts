import type { FastifyInstance } from 'fastify';
import type { EntraState } from './state.ts';
import { registerCertificate } from './state.ts';

// /_sim endpoints that let a test, the demo or a benchmark in another process shape the
// directory: add tenants, app registrations, certificates, redirect URIs and sign-in users.

type Body = Record<string, unknown>;
const strings = (value: unknown): string[] | undefined => (Array.isArray(value) ? value.map(String) : undefined);

export function registerEntraControl(app: FastifyInstance, state: EntraState): void {
  app.post<{ Body: Body }>('/_sim/tenants', async (request, reply) => {
    const body = request.body ?? {};
    if (typeof body.displayName !== 'string' || !strings(body.domains)?.length) return reply.code(400).send({ error: 'displayName and domains[] are required' });
    const tenant = state.addTenant({ id: typeof body.id === 'string' ? body.id : undefined, displayName: body.displayName, domains: strings(body.domains) ?? [] });
    return reply.code(201).send({ id: tenant.id, domains: tenant.domains });
  });

  app.post<{ Params: { tenant: string }; Body: Body }>('/_sim/tenants/:tenant/apps', async (request, reply) => {
    if (!state.findTenant(request.params.tenant)) return reply.code(404).send({ error: 'unknown tenant' });
    const body = request.body ?? {};
    try {
      const registration = state.addApp(request.params.tenant, {
        clientId: typeof body.clientId === 'string' ? body.clientId : undefined,
        displayName: typeof body.displayName === 'string' ? body.displayName : undefined,
        secrets: strings(body.secrets),
        certificates: strings(body.certificates),
        graphPermissions: strings(body.graphPermissions),
        redirectUris: strings(body.redirectUris),
      });
      return reply.code(201).send({ clientId: registration.clientId, servicePrincipalId: registration.servicePrincipalId });
    } catch (error) {
      return reply.code(400).send({ error: `invalid app registration: ${(error as Error).message}` });
    }
  });

  app.post<{ Params: { tenant: string; clientId: string }; Body: Body }>('/_sim/tenants/:tenant/apps/:clientId/certificates', async (request, reply) => {
    const registration = state.findTenant(request.params.tenant)?.apps.get(request.params.clientId);
    if (!registration) return reply.code(404).send({ error: 'unknown tenant or app' });
    try {
      const certificate = registerCertificate(String(request.body?.pem ?? ''));
      registration.certificates.push(certificate);
      return reply.code(201).send({ x5t: certificate.x5t, x5tS256: certificate.x5tS256 });
    } catch {
      return reply.code(400).send({ error: 'pem is not a valid X.509 certificate' });
    }
  });

  app.post<{ Params: { tenant: string; clientId: string }; Body: Body }>('/_sim/tenants/:tenant/apps/:clientId/redirect-uris', async (request, reply) => {
    const registration = state.findTenant(request.params.tenant)?.apps.get(request.params.clientId);
    if (!registration) return reply.code(404).send({ error: 'unknown tenant or app' });
    if (typeof request.body?.uri !== 'string') return reply.code(400).send({ error: 'uri is required' });
    if (!registration.redirectUris.includes(request.body.uri)) registration.redirectUris.push(request.body.uri);
    return reply.code(201).send({ redirectUris: registration.redirectUris });
  });

  app.post<{ Params: { tenant: string }; Body: Body }>('/_sim/tenants/:tenant/users', async (request, reply) => {
    if (!state.findTenant(request.params.tenant)) return reply.code(404).send({ error: 'unknown tenant' });
    const body = request.body ?? {};
    if (typeof body.userPrincipalName !== 'string' || typeof body.displayName !== 'string') return reply.code(400).send({ error: 'userPrincipalName and displayName are required' });
    const user = state.addUser(request.params.tenant, { userPrincipalName: body.userPrincipalName, displayName: body.displayName, mail: typeof body.mail === 'string' ? body.mail : undefined });
    return reply.code(201).send(user);
  });
}
