import type { FastifyInstance } from 'fastify';
import { sendList } from '../collection.ts';
import { invalidObject } from '../errors.ts';
import { memberRef } from '../state.ts';
import type { ConnectWiseState, TimeEntry } from '../state.ts';

const BILLABLE = ['Billable', 'DoNotBill', 'NoCharge', 'NoDefault'] as const;
const RESOURCE = 'TimeEntry';
const TIME_ENTRY_FIELDS = ['id', 'chargeToId', 'chargeToType', 'member', 'timeStart', 'timeEnd', 'actualHours', 'workRole', 'workType', 'billableOption', 'notes', 'company', 'ticket'];

export function registerTimeEntryRoutes(app: FastifyInstance, state: ConnectWiseState): void {
  // Manage knows its fields even before the first entry exists: conditions on them are valid on an empty list.
  app.get('/time/entries', async (request, reply) => sendList(request, reply, state.timeEntries, TIME_ENTRY_FIELDS));

  app.post('/time/entries', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (body.chargeToType !== 'ServiceTicket') return invalidObject(reply, RESOURCE, 'chargeToType', "chargeToType must be 'ServiceTicket' for this integration.");
    const ticket = state.tickets.find((candidate) => candidate.id === Number(body.chargeToId));
    if (!ticket) return invalidObject(reply, RESOURCE, 'chargeToId', `Service ticket ${String(body.chargeToId)} was not found.`);
    const identifier = (body.member as { identifier?: unknown } | undefined)?.identifier;
    const member = state.members.find((candidate) => candidate.identifier.toLowerCase() === String(identifier ?? '').toLowerCase());
    if (!member || member.inactiveFlag) return invalidObject(reply, RESOURCE, 'member', `Member '${String(identifier ?? '')}' was not found or is inactive.`);
    const start = typeof body.timeStart === 'string' ? Date.parse(body.timeStart) : NaN;
    if (Number.isNaN(start)) return invalidObject(reply, RESOURCE, 'timeStart', 'timeStart is required and must be a date.', 'NullOrEmpty');
    const end = typeof body.timeEnd === 'string' ? Date.parse(body.timeEnd) : NaN;
    const hours = typeof body.actualHours === 'number' ? body.actualHours : Number.isNaN(end) ? NaN : (end - start) / 3_600_000;
    if (!(hours > 0)) return invalidObject(reply, RESOURCE, 'timeEnd', 'Either timeEnd after timeStart or a positive actualHours is required.');

    const status = state.statuses.find((candidate) => candidate.id === ticket.status.id);
    if (status?.timeEntryNotAllowed) return invalidObject(reply, RESOURCE, 'chargeToId', `Time entries are not allowed on tickets in status '${status.name}'.`);

    // Omitted role/type fall back to the member's defaults, as Manage does.
    const roleId = (body.workRole as { id?: unknown } | undefined)?.id ?? member.defaultWorkRole?.id;
    const role = state.workRoles.find((candidate) => candidate.id === roleId);
    const locationId = member.defaultLocation.id;
    if (!role || role.inactiveFlag || (role.locationIds.length > 0 && !role.locationIds.includes(locationId)))
      return invalidObject(reply, RESOURCE, 'workRole', 'The default Work Role is not valid for the selected location.');
    const typeId = (body.workType as { id?: unknown } | undefined)?.id ?? member.defaultWorkType?.id;
    const type = state.workTypes.find((candidate) => candidate.id === typeId);
    if (!type || type.inactiveFlag) return invalidObject(reply, RESOURCE, 'workType', 'The Work Type is not valid.');
    const billableOption = body.billableOption ?? type.billTime;
    if (!BILLABLE.includes(billableOption as never)) return invalidObject(reply, RESOURCE, 'billableOption', `billableOption must be one of ${BILLABLE.join(', ')}.`);

    const now = new Date().toISOString();
    const entry: TimeEntry = {
      id: state.nextId(),
      company: ticket.company,
      chargeToId: ticket.id,
      chargeToType: 'ServiceTicket',
      member: memberRef(member),
      locationId,
      timeStart: new Date(start).toISOString().replace(/\.\d+Z$/, 'Z'),
      timeEnd: new Date(start + hours * 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z'),
      actualHours: Math.round(hours * 100) / 100,
      billableOption: billableOption as TimeEntry['billableOption'],
      workRole: { id: role.id, name: role.name },
      workType: { id: type.id, name: type.name },
      notes: typeof body.notes === 'string' ? body.notes : '',
      internalNotes: typeof body.internalNotes === 'string' ? body.internalNotes : '',
      addToDetailDescriptionFlag: body.addToDetailDescriptionFlag === true,
      addToInternalAnalysisFlag: body.addToInternalAnalysisFlag === true,
      addToResolutionFlag: body.addToResolutionFlag === true,
      ticket: { id: ticket.id, summary: ticket.summary },
      _info: { lastUpdated: now, updatedBy: member.identifier },
    };
    state.timeEntries.push(entry);
    return reply.code(201).send(entry);
  });
}
