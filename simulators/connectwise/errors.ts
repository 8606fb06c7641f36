import type { FastifyReply } from 'fastify';

// Manage's error body: { code, message, errors: [{ code, message, resource, field }] }.

export interface FieldError {
  code: string;
  message: string;
  resource: string;
  field: string;
}

export function sendCwError(reply: FastifyReply, status: number, code: string, message: string, errors?: FieldError[]): FastifyReply {
  return reply.code(status).send({ code, message, ...(errors ? { errors } : {}) });
}

/** 400 InvalidObject with one field error, the shape Manage uses for validation failures. */
export function invalidObject(reply: FastifyReply, resource: string, field: string, message: string, code = 'InvalidField'): FastifyReply {
  return sendCwError(reply, 400, 'InvalidObject', `${resource} object is invalid`, [{ code, message, resource, field }]);
}

export const notFound = (reply: FastifyReply, what: string, id: string | number): FastifyReply => sendCwError(reply, 404, 'NotFound', `${what} with id ${id} not found`);
