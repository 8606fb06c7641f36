import type { FastifyInstance } from 'fastify';
import { sendList } from '../collection.ts';
import { notFound } from '../errors.ts';
import type { ConnectWiseState } from '../state.ts';

export function registerListRoutes(app: FastifyInstance, state: ConnectWiseState): void {
  app.get('/service/boards', async (request, reply) => sendList(request, reply, state.boards));
  app.get<{ Params: { id: string } }>('/service/boards/:id/statuses', async (request, reply) => {
    const boardId = Number(request.params.id);
    if (!state.boards.some((board) => board.id === boardId)) return notFound(reply, 'Board', request.params.id);
    return sendList(request, reply, state.statuses.filter((status) => status.board.id === boardId));
  });
  app.get('/time/workRoles', async (request, reply) => sendList(request, reply, state.workRoles));
  app.get('/time/workTypes', async (request, reply) => sendList(request, reply, state.workTypes));
  app.get('/system/members', async (request, reply) => sendList(request, reply, state.members));
  app.get<{ Params: { id: string } }>('/system/members/:id', async (request, reply) => state.members.find((member) => member.id === Number(request.params.id)) ?? notFound(reply, 'Member', request.params.id));
  app.get('/company/companies', async (request, reply) => sendList(request, reply, state.companies));
  app.get<{ Params: { id: string } }>('/company/companies/:id', async (request, reply) => state.companies.find((company) => company.id === Number(request.params.id)) ?? notFound(reply, 'Company', request.params.id));
}
