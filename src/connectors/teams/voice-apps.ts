import { z } from 'zod';
import { TeamsError } from './errors.ts';
import { runCmdlets, type BridgeCredentials, type PowerShellBridgeOptions } from './powershell-bridge.ts';

/**
 * Resource accounts, auto attendants and call queues, read and linked through the PowerShell
 * bridge (Graph has no API for them). Output is parsed with schemas that take what
 * ConvertTo-Json writes: a lone item as an object rather than a one-item list, null for an empty
 * property, enums as their names (the runner asks -EnumsAsStrings) or, from an older runner or
 * module, as numbers (kept as their digits).
 */

/** ApplicationId of a resource account (learn.microsoft.com/powershell/module/skype/new-csonlineapplicationinstance). */
export const VOICE_APP_IDS = { aa: 'ce933385-9390-45d1-9512-c8d228074e07', cq: '11cd3e2e-fccb-42ad-ad00-878b93575e07' } as const;
export type VoiceAppType = keyof typeof VOICE_APP_IDS;

const listOf = <T extends z.ZodType>(item: T) => z.preprocess((v) => (v === null || v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(item));
const text = z.preprocess((v) => (v === null || v === undefined ? '' : v), z.union([z.string(), z.number(), z.boolean()]).transform(String));
const enumText = text;
const optionalText = z.preprocess((v) => (v === undefined ? null : v), z.union([z.string(), z.number()]).transform(String).nullable());
const count = z.preprocess((v) => (v === null || v === undefined || v === '' ? null : Number(v)), z.number().int().nullable());

const resourceAccountSchema = z.object({
  ObjectId: z.string(),
  UserPrincipalName: z.string(),
  DisplayName: text,
  ApplicationId: text,
  PhoneNumber: optionalText,
});
export type ResourceAccount = { objectId: string; userPrincipalName: string; displayName: string; applicationId: string; type: VoiceAppType | 'other'; phoneNumber: string | null };

const callTargetSchema = z.object({ Id: text, Type: enumText }).nullable().optional();
type CallTarget = { id: string; type: string } | null;
const target = (t: z.infer<typeof callTargetSchema>): CallTarget => (t ? { id: t.Id, type: t.Type } : null);

const menuOptionSchema = z.object({ DtmfResponse: enumText, Action: enumText, CallTarget: callTargetSchema });
const callFlowSchema = z.object({
  Id: text,
  Name: text,
  Menu: z.object({ Name: text, MenuOptions: listOf(menuOptionSchema) }).nullable().optional(),
});
const timeRangeSchema = z.object({ Start: text, End: text });
const scheduleSchema = z.object({
  Id: text,
  Name: text,
  Type: enumText,
  WeeklyRecurrentSchedule: z.record(z.string(), z.unknown()).nullable().optional(),
  FixedSchedule: z.object({ DateTimeRanges: listOf(timeRangeSchema) }).nullable().optional(),
});
// Get-CsAutoAttendant's documented example shows the id as `Id`; the module's own wrappers read `Identity` or `Id`: take either.
const withIdentity = (v: unknown) => (v && typeof v === 'object' && !('Identity' in v) && 'Id' in v ? { ...v, Identity: (v as { Id: unknown }).Id } : v);
const autoAttendantSchema = z.preprocess(withIdentity, z.object({
  Identity: z.string(),
  Name: text,
  LanguageId: text,
  TimeZoneId: text,
  DefaultCallFlow: callFlowSchema.nullable().optional(),
  CallFlows: listOf(callFlowSchema),
  CallHandlingAssociations: listOf(z.object({ Type: enumText, ScheduleId: text, CallFlowId: text, Priority: count.optional(), Enabled: z.boolean().nullable().optional() })),
  Schedules: listOf(scheduleSchema),
  ApplicationInstances: listOf(z.string()),
}));

export type CallFlow = { id: string; name: string; menu: { name: string; options: Array<{ dtmfResponse: string; action: string; callTarget: CallTarget }> } | null };
export type Schedule = { id: string; name: string; type: string; weekly: Record<string, Array<{ start: string; end: string }>> | null; fixed: Array<{ start: string; end: string }> | null };
export type AutoAttendant = {
  identity: string;
  name: string;
  languageId: string;
  timeZoneId: string;
  defaultCallFlow: CallFlow | null;
  callFlows: CallFlow[];
  callHandlingAssociations: Array<{ type: string; scheduleId: string; callFlowId: string; priority: number | null; enabled: boolean }>;
  schedules: Schedule[];
  applicationInstances: string[];
};

const callQueueSchema = z.preprocess(withIdentity, z.object({
  Identity: z.string(),
  Name: text,
  Agents: listOf(z.object({ ObjectId: z.string(), OptIn: z.boolean().nullable().optional() })),
  DistributionLists: listOf(z.string()),
  RoutingMethod: enumText,
  TimeoutThreshold: count,
  TimeoutAction: enumText,
  TimeoutActionTarget: callTargetSchema,
  OverflowThreshold: count,
  OverflowAction: enumText,
  OverflowActionTarget: callTargetSchema,
  LanguageId: text,
  ApplicationInstances: listOf(z.string()),
}));
export type CallQueue = {
  identity: string;
  name: string;
  agents: Array<{ objectId: string; optIn: boolean }>;
  distributionLists: string[];
  routingMethod: string;
  timeoutThreshold: number | null;
  timeoutAction: string;
  timeoutActionTarget: CallTarget;
  overflowThreshold: number | null;
  overflowAction: string;
  overflowActionTarget: CallTarget;
  languageId: string;
  applicationInstances: string[];
};

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new TeamsError('unexpected_answer', `Teams PowerShell answered ${what} in a shape UCR does not read (${result.error.issues[0]?.path.join('.') ?? ''}: ${result.error.issues[0]?.message ?? ''}).`);
  return result.data;
}

const typeOf = (applicationId: string): VoiceAppType | 'other' => (applicationId.toLowerCase() === VOICE_APP_IDS.aa ? 'aa' : applicationId.toLowerCase() === VOICE_APP_IDS.cq ? 'cq' : 'other');
const resourceAccountOf = (a: z.infer<typeof resourceAccountSchema>): ResourceAccount => ({
  objectId: a.ObjectId,
  userPrincipalName: a.UserPrincipalName,
  displayName: a.DisplayName,
  applicationId: a.ApplicationId.toLowerCase(),
  type: typeOf(a.ApplicationId),
  // Get-CsOnlineApplicationInstance shows the number as a tel: URI.
  phoneNumber: a.PhoneNumber ? a.PhoneNumber.replace(/^tel:/i, '') : null,
});
const callFlowOf = (f: z.infer<typeof callFlowSchema>): CallFlow => ({
  id: f.Id,
  name: f.Name,
  menu: f.Menu ? { name: f.Menu.Name, options: f.Menu.MenuOptions.map((o) => ({ dtmfResponse: o.DtmfResponse, action: o.Action, callTarget: target(o.CallTarget) })) } : null,
});
const ranges = (value: unknown) => parse(listOf(timeRangeSchema), value, 'a schedule').map((r) => ({ start: r.Start, end: r.End }));
const scheduleOf = (s: z.infer<typeof scheduleSchema>): Schedule => ({
  id: s.Id,
  name: s.Name,
  type: s.Type,
  // WeeklyRecurrentSchedule: MondayHours … SundayHours, each a list of {Start, End}; plus flags such as IsEnabled.
  weekly: s.WeeklyRecurrentSchedule ? Object.fromEntries(Object.entries(s.WeeklyRecurrentSchedule).filter(([key]) => key.endsWith('Hours')).map(([key, value]) => [key.replace(/Hours$/, ''), ranges(value)])) : null,
  fixed: s.FixedSchedule ? s.FixedSchedule.DateTimeRanges.map((r) => ({ start: r.Start, end: r.End })) : null,
});

/** Get-CsOnlineApplicationInstance: the tenant's resource accounts, typed aa / cq by ApplicationId. */
export async function listResourceAccounts(options: PowerShellBridgeOptions, credentials: BridgeCredentials): Promise<ResourceAccount[]> {
  const [output] = await runCmdlets(options, credentials, [{ cmdlet: 'Get-CsOnlineApplicationInstance', select: ['ObjectId', 'UserPrincipalName', 'DisplayName', 'ApplicationId', 'PhoneNumber'] }]);
  return parse(listOf(resourceAccountSchema), output, 'the resource accounts').map(resourceAccountOf);
}

/**
 * Get-CsAutoAttendant and Get-CsCallQueue answer 100 items unless asked for more ("This example
 * gets the first 100 call queues", learn.microsoft.com/powershell/module/teams/get-cscallqueue);
 * -First and -Skip page through the rest, as Microsoft's answer to "Get all Auto Attendants or
 * Call Queues" (techcommunity.microsoft.com/discussions/teamsdeveloper/4442755) does. A page
 * shorter than asked is the last; a page that only repeats items already read (a module that
 * ignores -Skip) ends the reading instead of looping.
 */
export const VOICE_APP_PAGE_SIZE = 100;
async function readAllPages<T extends { Identity: string }>(options: PowerShellBridgeOptions, credentials: BridgeCredentials, cmdlet: 'Get-CsAutoAttendant' | 'Get-CsCallQueue', schema: z.ZodType<T[]>, what: string): Promise<T[]> {
  const all: T[] = [];
  const seen = new Set<string>();
  for (let skip = 0; ; skip += VOICE_APP_PAGE_SIZE) {
    const [output] = await runCmdlets(options, credentials, [{ cmdlet, parameters: { First: VOICE_APP_PAGE_SIZE, Skip: skip } }]);
    const page = parse(schema, output, what);
    const fresh = page.filter((item) => !seen.has(item.Identity));
    for (const item of fresh) seen.add(item.Identity);
    all.push(...fresh);
    if (page.length < VOICE_APP_PAGE_SIZE || fresh.length === 0) return all;
  }
}

/** Get-CsAutoAttendant, every page. */
export async function listAutoAttendants(options: PowerShellBridgeOptions, credentials: BridgeCredentials): Promise<AutoAttendant[]> {
  return (await readAllPages(options, credentials, 'Get-CsAutoAttendant', listOf(autoAttendantSchema), 'the auto attendants')).map((a) => ({
    identity: a.Identity,
    name: a.Name,
    languageId: a.LanguageId,
    timeZoneId: a.TimeZoneId,
    defaultCallFlow: a.DefaultCallFlow ? callFlowOf(a.DefaultCallFlow) : null,
    callFlows: a.CallFlows.map(callFlowOf),
    callHandlingAssociations: a.CallHandlingAssociations.map((c) => ({ type: c.Type, scheduleId: c.ScheduleId, callFlowId: c.CallFlowId, priority: c.Priority ?? null, enabled: c.Enabled ?? true })),
    schedules: a.Schedules.map(scheduleOf),
    applicationInstances: a.ApplicationInstances,
  }));
}

/** Get-CsCallQueue, every page. */
export async function listCallQueues(options: PowerShellBridgeOptions, credentials: BridgeCredentials): Promise<CallQueue[]> {
  return (await readAllPages(options, credentials, 'Get-CsCallQueue', listOf(callQueueSchema), 'the call queues')).map((q) => ({
    identity: q.Identity,
    name: q.Name,
    agents: q.Agents.map((a) => ({ objectId: a.ObjectId, optIn: a.OptIn ?? true })),
    distributionLists: q.DistributionLists,
    routingMethod: q.RoutingMethod,
    timeoutThreshold: q.TimeoutThreshold,
    timeoutAction: q.TimeoutAction,
    timeoutActionTarget: target(q.TimeoutActionTarget),
    overflowThreshold: q.OverflowThreshold,
    overflowAction: q.OverflowAction,
    overflowActionTarget: target(q.OverflowActionTarget),
    languageId: q.LanguageId,
    applicationInstances: q.ApplicationInstances,
  }));
}

/** New-CsOnlineApplicationInstance -UserPrincipalName -ApplicationId -DisplayName: a resource account for an auto attendant or call queue. */
export async function createResourceAccount(options: PowerShellBridgeOptions, credentials: BridgeCredentials, input: { userPrincipalName: string; displayName: string; type: VoiceAppType }): Promise<ResourceAccount> {
  const [output] = await runCmdlets(options, credentials, [
    { cmdlet: 'New-CsOnlineApplicationInstance', parameters: { UserPrincipalName: input.userPrincipalName, ApplicationId: VOICE_APP_IDS[input.type], DisplayName: input.displayName }, select: ['ObjectId', 'UserPrincipalName', 'DisplayName', 'ApplicationId', 'PhoneNumber'] },
  ]);
  const created = parse(listOf(resourceAccountSchema), output, 'the new resource account')[0];
  if (!created) throw new TeamsError('unexpected_answer', 'Teams PowerShell did not return the new resource account.');
  return resourceAccountOf(created);
}

const associationSchema = z.object({ Id: text, ConfigurationId: text, ConfigurationType: enumText, Result: enumText, StatusCode: enumText.optional(), StatusMessage: text.optional() });

/**
 * New-CsOnlineApplicationInstanceAssociation -Identities -ConfigurationId -ConfigurationType:
 * links resource accounts to an auto attendant or call queue. Answers one result per account;
 * a result other than Success is an error naming the account and Teams' status message.
 */
export async function associateResourceAccounts(options: PowerShellBridgeOptions, credentials: BridgeCredentials, input: { resourceAccountIds: string[]; configurationId: string; configurationType: 'AutoAttendant' | 'CallQueue' }): Promise<Array<{ id: string; result: string }>> {
  const [output] = await runCmdlets(options, credentials, [
    { cmdlet: 'New-CsOnlineApplicationInstanceAssociation', parameters: { Identities: input.resourceAccountIds, ConfigurationId: input.configurationId, ConfigurationType: input.configurationType } },
  ]);
  const results = parse(listOf(associationSchema), output, 'the association');
  const failed = results.find((r) => r.Result !== 'Success');
  if (failed) throw new TeamsError('cmdlet_failed', `Teams did not link resource account ${failed.Id} to ${input.configurationType} ${input.configurationId}: ${failed.StatusMessage || failed.Result}`);
  return results.map((r) => ({ id: r.Id, result: r.Result }));
}
