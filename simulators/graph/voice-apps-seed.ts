import { randomUUID } from 'node:crypto';
import { AUTO_ATTENDANT_APP_ID, CALL_QUEUE_APP_ID } from './control.ts';
import { addNumber, addUser, type GraphTenant, type GraphUser } from './state.ts';

/**
 * A small front door for a tenant, as an engineer finds it in a real one: a main-line auto
 * attendant (menu to Sales, Support and reception, business hours Monday to Friday, a Christmas
 * holiday) and two call queues with agents, timeout and overflow. Kept in the shapes
 * Get-CsAutoAttendant and Get-CsCallQueue show (learn.microsoft.com/powershell/module/teams/get-csautoattendant,
 * …/get-cscallqueue), for the demo and the tests.
 */
export type SeededVoiceApps = { mainLine: GraphUser; salesAccount: GraphUser; supportAccount: GraphUser; autoAttendantId: string; salesQueueId: string; supportQueueId: string };

export function seedVoiceApps(tenant: GraphTenant, options: { agents: GraphUser[]; receptionist: GraphUser; numbers: { mainLine: string; support: string }; namePrefix?: string }): SeededVoiceApps {
  const prefix = options.namePrefix ?? 'Contoso';
  const account = (alias: string, displayName: string, applicationId: string) =>
    addUser(tenant, { userPrincipalName: `${alias}@${tenant.domain}`, displayName, accountType: 'resourceAccount', accountEnabled: false, licenses: ['TeamsPhoneResourceAccount'], usageLocation: 'US', applicationId });
  const mainLine = account('aa-mainline', `${prefix} Main Line`, AUTO_ATTENDANT_APP_ID);
  const salesAccount = account('cq-sales', `${prefix} Sales Queue`, CALL_QUEUE_APP_ID);
  const supportAccount = account('cq-support', `${prefix} Support Queue`, CALL_QUEUE_APP_ID);
  for (const [telephoneNumber, user] of [[options.numbers.mainLine, mainLine], [options.numbers.support, supportAccount]] as const) {
    const existing = tenant.numbers.get(telephoneNumber);
    if (existing) Object.assign(existing, { assignmentStatus: 'voiceApplicationAssigned', assignmentTargetId: user.id, assignmentCategory: 'primary' });
    else addNumber(tenant, { telephoneNumber, numberType: 'directRouting', assignmentStatus: 'voiceApplicationAssigned', assignmentTargetId: user.id, assignmentCategory: 'primary', city: 'Redmond' });
  }
  const [a1, a2, a3, a4] = options.agents;
  const salesQueueId = randomUUID();
  const supportQueueId = randomUUID();
  tenant.callQueues.set(salesQueueId, {
    Identity: salesQueueId,
    Name: `${prefix} Sales`,
    LanguageId: 'en-US',
    RoutingMethod: 'Attendant',
    Agents: [a1, a2].filter(Boolean).map((u) => ({ ObjectId: u!.id, OptIn: true })),
    DistributionLists: [],
    TimeoutThreshold: 120,
    TimeoutAction: 'Forward',
    TimeoutActionTarget: { Id: supportAccount.id, Type: 'ApplicationEndpoint' },
    OverflowThreshold: 20,
    OverflowAction: 'SharedVoicemail',
    OverflowActionTarget: { Id: randomUUID(), Type: 'SharedVoicemail' },
    ApplicationInstances: [salesAccount.id],
  });
  tenant.callQueues.set(supportQueueId, {
    Identity: supportQueueId,
    Name: `${prefix} Support`,
    LanguageId: 'en-GB',
    RoutingMethod: 'RoundRobin',
    Agents: [a3, a4].filter(Boolean).map((u, i) => ({ ObjectId: u!.id, OptIn: i === 0 })),
    DistributionLists: [randomUUID()],
    TimeoutThreshold: 300,
    TimeoutAction: 'Forward',
    TimeoutActionTarget: { Id: 'tel:+14255550199', Type: 'ExternalPstn' },
    OverflowThreshold: 50,
    OverflowAction: 'Forward',
    OverflowActionTarget: { Id: options.receptionist.id, Type: 'User' },
    ApplicationInstances: [supportAccount.id],
  });
  const autoAttendantId = randomUUID();
  const flow = (name: string, menuName: string, options: Array<[string, string, { Id: string; Type: string } | null]>) => ({
    Id: randomUUID(),
    Name: name,
    Greetings: [],
    Menu: { Name: menuName, MenuOptions: options.map(([key, action, target]) => ({ DtmfResponse: key, Action: action, CallTarget: target, VoiceResponses: [] })) },
  });
  const defaultFlow = flow(`${prefix} Main Line business hours`, 'Main menu', [
    ['Tone1', 'TransferCallToTarget', { Id: salesAccount.id, Type: 'ApplicationEndpoint' }],
    ['Tone2', 'TransferCallToTarget', { Id: supportAccount.id, Type: 'ApplicationEndpoint' }],
    ['Tone0', 'TransferCallToTarget', { Id: options.receptionist.id, Type: 'User' }],
  ]);
  const afterHoursFlow = flow(`${prefix} Main Line after hours`, 'After hours', [['Automatic', 'TransferCallToTarget', { Id: randomUUID(), Type: 'SharedVoicemail' }]]);
  const holidayFlow = flow(`${prefix} Main Line holiday`, 'Holiday', [['Automatic', 'DisconnectCall', null]]);
  const day = [{ Start: '08:30:00', End: '17:30:00' }];
  const afterHoursSchedule = {
    Id: randomUUID(),
    Name: 'Business hours',
    Type: 'WeeklyRecurrence',
    // The after-hours schedule holds the business hours with ComplementEnabled: the after-hours flow applies outside them (New-CsOnlineSchedule -Complement).
    WeeklyRecurrentSchedule: { MondayHours: day, TuesdayHours: day, WednesdayHours: day, ThursdayHours: day, FridayHours: [{ Start: '08:30:00', End: '16:00:00' }], SaturdayHours: [], SundayHours: [], ComplementEnabled: true },
    FixedSchedule: null,
  };
  const holidaySchedule = { Id: randomUUID(), Name: 'Christmas 2026', Type: 'Fixed', WeeklyRecurrentSchedule: null, FixedSchedule: { DateTimeRanges: [{ Start: '2026-12-24T12:00:00', End: '2026-12-27T00:00:00' }] } };
  tenant.autoAttendants.set(autoAttendantId, {
    Id: autoAttendantId,
    Name: `${prefix} Main Line`,
    LanguageId: 'en-US',
    TimeZoneId: 'Pacific Standard Time',
    DefaultCallFlow: defaultFlow,
    CallFlows: [afterHoursFlow, holidayFlow],
    CallHandlingAssociations: [
      { Type: 'Holiday', ScheduleId: holidaySchedule.Id, CallFlowId: holidayFlow.Id, Priority: 1, Enabled: true },
      { Type: 'AfterHours', ScheduleId: afterHoursSchedule.Id, CallFlowId: afterHoursFlow.Id, Priority: 2, Enabled: true },
    ],
    Schedules: [afterHoursSchedule, holidaySchedule],
    ApplicationInstances: [mainLine.id],
  });
  return { mainLine, salesAccount, supportAccount, autoAttendantId, salesQueueId, supportQueueId };
}
