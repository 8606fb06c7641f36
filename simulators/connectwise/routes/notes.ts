import type { FastifyInstance } from 'fastify';
import { apiKeyOf } from '../auth.ts';
import { sendList } from '../collection.ts';
import { invalidObject, notFound } from '../errors.ts';
import { memberRef } from '../state.ts';
import type { ConnectWiseState, TicketNote } from '../state.ts';

const FLAGS = ['detailDescriptionFlag', 'internalAnalysisFlag', 'resolutionFlag'] as const;
// Known before the ticket's first note exists (conditions on an empty list are still valid).
const NOTE_FIELDS = ['id', 'ticketId', 'text', ...FLAGS, 'member', 'dateCreated', 'createdBy'];

export function registerNoteRoutes(app: FastifyInstance, state: ConnectWiseState): void {
  app.get<{ Params: { id: string } }>('/service/tickets/:id/notes', async (request, reply) => {
    const ticketId = Number(request.params.id);
    if (!state.tickets.some((ticket) => ticket.id === ticketId)) return notFound(reply, 'Ticket', request.params.id);
    return sendList(request, reply, state.notes.filter((note) => note.ticketId === ticketId), NOTE_FIELDS);
  });

  app.post<{ Params: { id: string } }>('/service/tickets/:id/notes', async (request, reply) => {
    const ticketId = Number(request.params.id);
    if (!state.tickets.some((ticket) => ticket.id === ticketId)) return notFound(reply, 'Ticket', request.params.id);
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (typeof body.text !== 'string' || body.text.trim() === '') return invalidObject(reply, 'TicketNote', 'text', 'text may not be empty', 'NullOrEmpty');
    // Manage needs the note to land somewhere: at least one of the three flags.
    if (!FLAGS.some((flag) => body[flag] === true))
      return invalidObject(reply, 'TicketNote', 'detailDescriptionFlag', 'At least one of the following flags must be set: detailDescriptionFlag, internalAnalysisFlag, resolutionFlag.');
    const identifier = (body.member as { identifier?: unknown } | undefined)?.identifier ?? apiKeyOf(request).memberIdentifier;
    const member = state.members.find((candidate) => candidate.identifier.toLowerCase() === String(identifier).toLowerCase());
    if (!member || member.inactiveFlag) return invalidObject(reply, 'TicketNote', 'member', `Member '${String(identifier)}' was not found or is inactive.`);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const note: TicketNote = {
      id: state.nextId(),
      ticketId,
      text: body.text,
      detailDescriptionFlag: body.detailDescriptionFlag === true,
      internalAnalysisFlag: body.internalAnalysisFlag === true,
      resolutionFlag: body.resolutionFlag === true,
      issueFlag: false,
      member: memberRef(member),
      contact: null,
      customerUpdatedFlag: false,
      processNotifications: body.processNotifications === true,
      internalFlag: body.internalAnalysisFlag === true,
      externalFlag: body.detailDescriptionFlag === true || body.resolutionFlag === true,
      dateCreated: now,
      createdBy: apiKeyOf(request).memberIdentifier,
      _info: { lastUpdated: now, updatedBy: apiKeyOf(request).memberIdentifier },
    };
    state.notes.push(note);
    return reply.code(201).send(note);
  });
}
