import { z } from 'zod';

/** Where a menu option, timeout or overflow sends the call: Teams' CallTarget {Id, Type}, with the name UCR resolved for it. */
export const callTargetSchema = z.object({ type: z.string(), id: z.string(), label: z.string() });
const timeRangeSchema = z.object({ start: z.string(), end: z.string() });

export const callFlowSchema = z.object({
  id: z.string(),
  name: z.string(),
  menuName: z.string(),
  /** Each menu option: the DTMF response (Tone1…, Automatic for "no menu, go straight there"), the action and its target. */
  options: z.array(z.object({ dtmf: z.string(), action: z.string(), target: callTargetSchema.nullable() })),
});

export const resourceAccountSchema = z.object({
  objectId: z.string(),
  userPrincipalName: z.string(),
  displayName: z.string(),
  /** By ApplicationId (PowerShell only): aa, cq, other; unknown without the bridge. */
  type: z.enum(['aa', 'cq', 'other', 'unknown']),
  phoneNumbers: z.array(z.string()),
  /** Licence names (subscribedSkus' skuPartNumber, "Teams Phone Resource Account" for PHONESYSTEM_VIRTUALUSER). */
  licences: z.array(z.string()),
  hasResourceAccountLicence: z.boolean(),
  serves: z.array(z.object({ kind: z.enum(['autoAttendant', 'callQueue']), id: z.string(), name: z.string() })),
});

export const autoAttendantSchema = z.object({
  identity: z.string(),
  name: z.string(),
  languageId: z.string(),
  timeZoneId: z.string(),
  resourceAccounts: z.array(z.object({ id: z.string(), label: z.string() })),
  defaultCallFlow: callFlowSchema.nullable(),
  /** The after-hours association's weekly schedule: the hours the default call flow answers (null: open all the time). */
  businessHours: z.object({ scheduleName: z.string(), days: z.array(z.object({ day: z.string(), ranges: z.array(timeRangeSchema) })), callFlow: callFlowSchema.nullable() }).nullable(),
  holidays: z.array(z.object({ scheduleName: z.string(), ranges: z.array(timeRangeSchema), callFlow: callFlowSchema.nullable() })),
});

export const callQueueSchema = z.object({
  identity: z.string(),
  name: z.string(),
  languageId: z.string(),
  routingMethod: z.string(),
  resourceAccounts: z.array(z.object({ id: z.string(), label: z.string() })),
  agents: z.array(z.object({ id: z.string(), label: z.string(), optIn: z.boolean() })),
  groups: z.array(z.object({ id: z.string(), label: z.string() })),
  timeout: z.object({ seconds: z.number().nullable(), action: z.string(), target: callTargetSchema.nullable() }),
  overflow: z.object({ calls: z.number().nullable(), action: z.string(), target: callTargetSchema.nullable() }),
});

/** What the bridge did at the last refresh: read, not set up, or failed (with Teams' own code and message). */
export const bridgeOutcomeSchema = z.object({ status: z.enum(['read', 'not_configured', 'failed']), code: z.string().nullable(), message: z.string().nullable() });

/** One read of a tenant's voice apps, as stored in voice_app_snapshots and answered by the API. */
export const voiceAppsReadSchema = z.object({
  resourceAccounts: z.array(resourceAccountSchema),
  autoAttendants: z.array(autoAttendantSchema),
  callQueues: z.array(callQueueSchema),
  bridge: bridgeOutcomeSchema,
});

export const voiceAppsSchema = voiceAppsReadSchema.extend({
  /** null: never read from Teams yet. */
  refreshedAt: z.string().nullable(),
  /** What this server and tenant have of the PowerShell bridge now, and what to set up for the rest. */
  powershell: z.object({ configured: z.boolean(), pwshPath: z.boolean(), certificate: z.boolean(), setup: z.string().nullable() }),
});

export type VoiceAppsRead = z.infer<typeof voiceAppsReadSchema>;
export type VoiceAppsDto = z.infer<typeof voiceAppsSchema>;
export type ResourceAccountDto = z.infer<typeof resourceAccountSchema>;
export type AutoAttendantDto = z.infer<typeof autoAttendantSchema>;
export type CallQueueDto = z.infer<typeof callQueueSchema>;
export type CallFlowDto = z.infer<typeof callFlowSchema>;
export type CallTargetDto = z.infer<typeof callTargetSchema>;
