import type { FastifyReply } from 'fastify';

// OData error body as the XAPI sends it; 3CX puts the field in `target` and a WARNINGS.* key in the message.

export interface ODataDetail {
  code: string;
  message: string;
  target: string;
}

export function sendODataError(reply: FastifyReply, status: number, message: string, details?: ODataDetail[]): FastifyReply {
  return reply.code(status).send({ error: { code: '', message, ...(details ? { details } : {}) } });
}

/** A field validation failure: `"{Field}:\nWARNINGS.XAPI.{KEY}"`. */
export const fieldError = (reply: FastifyReply, field: string, key: string): FastifyReply =>
  sendODataError(reply, 400, `${field}:\nWARNINGS.XAPI.${key}`, [{ code: '', message: `WARNINGS.XAPI.${key}`, target: field }]);
