import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { changeSettings, readSettings } from './app-settings.ts';
import type { AppDeps } from '../kernel/deps.ts';
import { actorOf, requestInfo } from '../kernel/request-info.ts';
import { clearEntraSignInSettings, entraSignInCertificatePem, generateEntraSignInCertificate, getEntraSignInSettings, saveEntraSignInSettings, testEntraSignInSettings } from './entra-sign-in.ts';
import { entraSignInCheckSchema, entraSignInInput, entraSignInSchema, settingsSchemaDto } from './schemas.ts';

export function settingsRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['settings'];

  r.get('/api/settings', { config: { access: 'admin' }, schema: { tags, summary: 'Security settings', response: { 200: settingsSchemaDto } } }, async () => readSettings(deps.db));

  r.patch(
    '/api/settings',
    {
      config: { access: 'admin' },
      schema: { tags, summary: 'Change security settings (MFA required for everyone, lockout)', body: settingsSchemaDto.partial(), response: { 200: settingsSchemaDto } },
    },
    async (request) => changeSettings(deps, actorOf(request), request.body, requestInfo(request)),
  );

  const origin = (request: FastifyRequest) => `${request.protocol}://${request.host}`;

  r.get(
    '/api/settings/entra-sign-in',
    { config: { access: 'admin' }, schema: { tags, summary: 'Operator sign-in with Entra ID: the settings in force, which fields the environment sets, the redirect URI to register (the secret is never returned)', response: { 200: entraSignInSchema } } },
    async (request) => getEntraSignInSettings(deps, origin(request)),
  );

  r.put(
    '/api/settings/entra-sign-in',
    {
      config: { access: 'admin' },
      schema: { tags, summary: 'Save the Entra ID sign-in (applies at once on every node; a secret left out keeps the stored one; fields set by the environment cannot change)', body: entraSignInInput, response: { 200: entraSignInSchema } },
    },
    async (request) => saveEntraSignInSettings(deps, actorOf(request), request.body, requestInfo(request), origin(request)),
  );

  r.delete(
    '/api/settings/entra-sign-in',
    { config: { access: 'admin' }, schema: { tags, summary: 'Remove the Entra ID sign-in saved in Settings, secret included (the environment\'s fields stay)', response: { 200: entraSignInSchema } } },
    async (request) => clearEntraSignInSettings(deps, actorOf(request), requestInfo(request), origin(request)),
  );

  r.post(
    '/api/settings/entra-sign-in/test',
    {
      config: { access: 'admin' },
      schema: { tags, summary: 'Test the values in the form without saving: discovery at the authority, then a client-credential token request', body: entraSignInInput.optional(), response: { 200: entraSignInCheckSchema } },
    },
    async (request) => testEntraSignInSettings(deps, actorOf(request), request.body ?? {}, requestInfo(request)),
  );

  r.post(
    '/api/settings/entra-sign-in/certificate',
    {
      config: { access: 'admin' },
      schema: { tags, summary: 'Generate a key pair and certificate for the sign-in app (the private key stays here; the sign-in method changes only on save)', response: { 200: entraSignInSchema } },
    },
    async (request) => generateEntraSignInCertificate(deps, actorOf(request), requestInfo(request), origin(request)),
  );

  r.get(
    '/api/settings/entra-sign-in/certificate.cer',
    { config: { access: 'admin' }, schema: { tags, summary: 'Download the public certificate (PEM) to upload to the app registration', produces: ['application/x-pem-file'] } },
    async (_request, reply) =>
      reply
        .header('content-type', 'application/x-pem-file')
        .header('content-disposition', 'attachment; filename="ucr-manager-sign-in.cer"')
        .send(await entraSignInCertificatePem(deps)),
  );
}
