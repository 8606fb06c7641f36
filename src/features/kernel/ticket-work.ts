import { z } from 'zod';
import type { Db } from '../../db/connection.ts';
import type { TicketLogChoices } from '../../db/schema/index.ts';
import type { Actor, AppDeps } from './deps.ts';

export type { TicketLogChoices };

/** The ConnectWise choices a change form sends with its ticket (issue #17 item 1); left out: the defaults. */
export const ticketLogChoicesSchema = z
  .object({
    minutes: z.number().int().min(1).max(1440).optional().describe('Minutes to log; left out: the tenant default, else the time the change took'),
    statusId: z.number().int().positive().nullable().optional().describe("Status to move the ticket to (one of its board's); null leaves it as is; left out: the tenant default"),
    workRoleId: z.number().int().positive().nullable().optional(),
    workTypeId: z.number().int().positive().nullable().optional(),
    member: z.string().trim().min(1).max(60).optional().describe('ConnectWise member the time is logged as; left out: your mapped member'),
  })
  .strict();

/** Work done outside a Teams voice change (a 3CX change, a number lifecycle action) that goes onto its ticket. */
export type TicketWork = {
  tenantId: string;
  ticketId: string;
  system: 'threecx' | 'numbers';
  subject: string;
  note: string;
  operatorId: string | null;
  startedAt: Date;
  finishedAt: Date;
  choices: TicketLogChoices;
};

/**
 * The ticket logger as features below ConnectWise in the layering see it (numbers sits beside
 * connectwise and may not import it): ConnectWise registers itself when its routes are built.
 */
export type TicketWorkLogger = {
  /** Checks the choices against the ticket's board and ConnectWise's lists; throws a specific error, writes nothing to the ticket. */
  check(deps: AppDeps, actor: Actor, tenantId: string, ticketId: string | null | undefined, choices: TicketLogChoices | undefined): Promise<TicketLogChoices>;
  /** Records the work to log in the caller's transaction; returns its id (null when the tenant has no ConnectWise). */
  record(tx: Db, work: TicketWork): Promise<string | null>;
  /** Starts the durable job for a recorded log, after the transaction committed. */
  start(deps: AppDeps, logId: string | null): Promise<void>;
};

let registered: TicketWorkLogger | undefined;

export function registerTicketWorkLogger(logger: TicketWorkLogger): void {
  registered = logger;
}

export function ticketWorkLogger(): TicketWorkLogger | undefined {
  return registered;
}
