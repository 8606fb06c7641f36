import type { FastifyInstance } from 'fastify';
import { apiKeyOf } from '../auth.ts';
import { sendList } from '../collection.ts';
import { invalidObject, notFound, sendCwError } from '../errors.ts';
import type { ConnectWiseState, Ticket } from '../state.ts';

type PatchOp = { op?: unknown; path?: unknown; value?: unknown };

const REPLACEABLE = new Set(['summary', 'status', 'priority', 'owner', 'contact', 'initialDescription', 'board']);

/** Resolves `{ id }` or `{ name }` to one of the ticket's board statuses. */
function resolveStatus(state: ConnectWiseState, ticket: Ticket, value: unknown) {
  const wanted = value as { id?: unknown; name?: unknown } | null;
  return state.statuses.find(
    (status) => status.board.id === ticket.board.id && (status.id === wanted?.id || (typeof wanted?.name === 'string' && status.name.toLowerCase() === wanted.name.toLowerCase())),
  );
}

export function registerTicketRoutes(app: FastifyInstance, state: ConnectWiseState): void {
  app.get('/service/tickets', async (request, reply) => sendList(request, reply, state.tickets));

  app.get<{ Params: { id: string } }>('/service/tickets/:id', async (request, reply) => {
    const ticket = state.tickets.find((candidate) => candidate.id === Number(request.params.id));
    return ticket ?? notFound(reply, 'Ticket', request.params.id);
  });

  app.patch<{ Params: { id: string } }>('/service/tickets/:id', async (request, reply) => {
    const ticket = state.tickets.find((candidate) => candidate.id === Number(request.params.id));
    if (!ticket) return notFound(reply, 'Ticket', request.params.id);
    if (!Array.isArray(request.body)) return sendCwError(reply, 400, 'InvalidObject', 'The request body must be a JSON Patch array of operations.');
    const updated: Ticket = structuredClone(ticket);
    for (const operation of request.body as PatchOp[]) {
      const op = typeof operation.op === 'string' ? operation.op.toLowerCase() : '';
      const path = typeof operation.path === 'string' ? operation.path.replace(/^\//, '') : '';
      const [field = '', subField] = path.split('/');
      if (!['replace', 'add', 'remove'].includes(op)) return invalidObject(reply, 'Ticket', path, `Unsupported patch operation '${String(operation.op)}'.`);
      if (!REPLACEABLE.has(field)) return invalidObject(reply, 'Ticket', path, `Field '${path}' cannot be updated.`);
      const value = subField ? { [subField]: operation.value } : operation.value;
      if (field === 'status') {
        const status = resolveStatus(state, updated, value);
        if (!status) return invalidObject(reply, 'Ticket', 'status', 'The status is not valid for the ticket board.');
        updated.status = { id: status.id, name: status.name };
        updated.closedFlag = status.closedStatus;
        updated.closedDate = status.closedStatus ? new Date().toISOString() : null;
      } else if (field === 'board') {
        const board = state.boards.find((candidate) => candidate.id === (value as { id?: unknown })?.id);
        if (!board) return invalidObject(reply, 'Ticket', 'board', 'The board is not valid.');
        updated.board = { id: board.id, name: board.name };
        const fallback = state.statuses.find((status) => status.board.id === board.id && status.defaultFlag);
        if (fallback) updated.status = { id: fallback.id, name: fallback.name };
      } else if (op === 'remove') {
        (updated as unknown as Record<string, unknown>)[field] = null;
      } else {
        (updated as unknown as Record<string, unknown>)[field] = value;
      }
    }
    updated._info = { lastUpdated: new Date().toISOString(), updatedBy: apiKeyOf(request).memberIdentifier };
    Object.assign(ticket, updated);
    return ticket;
  });
}
