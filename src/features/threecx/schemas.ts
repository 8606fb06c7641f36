import { z } from 'zod';
import { ticketLogChoicesSchema } from '../kernel/ticket-work.ts';
import { vmEmailOptions } from '../../connectors/threecx/schemas.ts';
import { tenantParams } from '../../http/schemas.ts';

export const ticketId = z.string().trim().regex(/^\d{1,12}$/, 'must be a ticket number').nullable().optional();

export const threeCxConnectionSchema = z.object({
  configured: z.boolean(),
  fqdn: z.string().nullable(),
  baseUrl: z.string().nullable(),
  authMode: z.enum(['api_client', 'admin']).nullable(),
  clientId: z.string().nullable(),
  username: z.string().nullable(),
  clientSecretSet: z.boolean(),
  passwordSet: z.boolean(),
  sessionOpen: z.boolean(),
  consoleUrl: z.string().nullable(),
  lastTest: z.object({ at: z.string(), ok: z.boolean(), result: z.unknown() }).nullable(),
});

const fqdn = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(:\d{2,5})?$/, 'must be the PBX host name, such as contoso.3cx.eu (no https://)');

export const threeCxConnectionInput = z.object({
  fqdn,
  baseUrl: z.string().url('must be a URL').optional(),
  authMode: z.enum(['api_client', 'admin']),
  clientId: z.string().trim().min(1).max(200).optional(),
  clientSecret: z.string().min(1).max(500).optional(),
  username: z.string().trim().min(1).max(200).optional(),
  password: z.string().min(1).max(500).optional(),
});

export const connectionTestSchema = z.object({ ok: z.boolean(), twoFactorRequired: z.boolean(), steps: z.array(z.object({ name: z.string(), ok: z.boolean(), message: z.string() })) });

const did = z.object({ numberId: z.string(), e164: z.string() }).nullable();
const vmOptions = z.enum(vmEmailOptions);

export const extensionSchema = z.object({
  id: z.number(),
  number: z.string(),
  displayName: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string(),
  mobile: z.string(),
  outboundCallerId: z.string(),
  language: z.string(),
  require2fa: z.boolean(),
  sendEmailMissedCalls: z.boolean(),
  voicemailEmail: vmOptions,
  enabled: z.boolean(),
  did,
});

const phone = z.string().trim().max(30).regex(/^(\+?[0-9 ()-]*)$/, 'must be a phone number');
const extensionFields = {
  firstName: z.string().trim().max(100).optional(),
  lastName: z.string().trim().max(100).optional(),
  email: z.union([z.literal(''), z.string().trim().email('must be an email address').max(200)]).optional(),
  mobile: phone.optional(),
  outboundCallerId: phone.optional(),
  language: z.string().trim().max(10).optional(),
  require2fa: z.boolean().optional(),
  sendEmailMissedCalls: z.boolean().optional(),
  voicemailEmail: vmOptions.optional(),
  enabled: z.boolean().optional(),
  did: z.union([z.object({ numberId: z.string().uuid('must be a number id') }), z.object({ e164: z.string().regex(/^\+\d{7,15}$/, 'must be an E.164 number') })]).nullable().optional(),
  ticketId,
  ticketLog: ticketLogChoicesSchema.optional(),
};
const extensionNumber = z.string().trim().regex(/^\d{2,10}$/, 'must be 2 to 10 digits');
export const createExtensionInput = z.object({ number: extensionNumber, ...extensionFields });
// `number` may be sent back unchanged; a different one is refused (3CX does not renumber an extension).
export const updateExtensionInput = z.object({ number: extensionNumber.optional(), ...extensionFields });
export const renumberExtensionInput = z.object({ number: extensionNumber, ticketId, ticketLog: ticketLogChoicesSchema.optional() });

export const extensionParams = tenantParams.extend({ extensionId: z.coerce.number().int().positive('must be a 3CX user id') });
export const trunkParams = tenantParams.extend({ trunkId: z.coerce.number().int().positive('must be a trunk id') });
export const didParams = tenantParams.extend({ did: z.string().regex(/^\+\d{7,15}$/, 'must be an E.164 number') });
export const changeParams = tenantParams.extend({ changeId: z.coerce.number().int().positive('must be a change id') });

export const trunkSchema = z.object({
  id: z.number(),
  number: z.string(),
  name: z.string(),
  host: z.string().nullable(),
  port: z.number().nullable(),
  type: z.string().nullable(),
  externalNumber: z.string(),
  simultaneousCalls: z.number().nullable(),
  direction: z.enum(['Both', 'Inbound', 'Outbound']),
  online: z.boolean().nullable(),
  didNumbers: z.array(z.string()),
});

export const trunkInput = z.object({
  externalNumber: z.string().trim().max(30).optional(),
  simultaneousCalls: z.number().int().min(1).max(1000).optional(),
  direction: z.enum(['Both', 'Inbound', 'Outbound']).optional(),
  didNumbers: z.array(z.string().trim().min(3).max(30)).max(5000).optional(),
  ticketId,
  ticketLog: ticketLogChoicesSchema.optional(),
});

export const didSchema = z.object({
  number: z.string(),
  trunkId: z.number(),
  trunkName: z.string(),
  extension: z.object({ id: z.number(), number: z.string(), name: z.string() }).nullable(),
  inventory: z.object({ numberId: z.string(), status: z.string(), kind: z.string(), assigneeId: z.string().nullable() }).nullable(),
});

export const changeSchema = z.object({
  id: z.number(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  result: z.string(),
  extension: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  error: z.string().nullable(),
  ticketId: z.string().nullable(),
  revertible: z.boolean(),
});

export const threeCxSystemSchema = z.object({
  version: z.string().nullable().describe("SystemStatus.Version; null when the PBX would not give it (statusProblem says why)"),
  fqdn: z.string().nullable(),
  activated: z.boolean().nullable(),
  statusProblem: z.string().nullable(),
  counts: z.object({
    extensions: z.number().int(),
    trunks: z.number().int(),
    dids: z.number().int(),
    extensionsRegistered: z.number().int().nullable(),
    trunksRegistered: z.number().int().nullable(),
    callsActive: z.number().int().nullable(),
    maxSimultaneousCalls: z.number().int().nullable(),
  }),
});
