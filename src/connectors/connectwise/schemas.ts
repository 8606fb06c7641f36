import { z } from 'zod';

/** The parts of ConnectWise Manage's answers UCR Manager reads. */
const ref = z.object({ id: z.number(), name: z.string().optional(), identifier: z.string().optional() }).passthrough();

export const ticket = z
  .object({
    id: z.number(),
    summary: z.string(),
    board: ref.nullable().optional(),
    status: ref.nullable().optional(),
    company: ref.nullable().optional(),
    closedFlag: z.boolean().nullable().optional(),
  })
  .passthrough();
export type Ticket = z.infer<typeof ticket>;

export const boardStatus = z
  .object({
    id: z.number(),
    name: z.string(),
    sortOrder: z.number().nullable().optional(),
    inactive: z.boolean().nullable().optional(),
    closedStatus: z.boolean().nullable().optional(),
    timeEntryNotAllowed: z.boolean().nullable().optional(),
    defaultFlag: z.boolean().nullable().optional(),
  })
  .passthrough();
export type BoardStatus = z.infer<typeof boardStatus>;

export const workRole = z.object({ id: z.number(), name: z.string(), inactiveFlag: z.boolean().nullable().optional(), locationIds: z.array(z.number()).nullable().optional() }).passthrough();
export const workType = z.object({ id: z.number(), name: z.string(), inactiveFlag: z.boolean().nullable().optional(), billTime: z.string().nullable().optional() }).passthrough();
export const member = z.object({ id: z.number(), identifier: z.string(), firstName: z.string().nullable().optional(), lastName: z.string().nullable().optional(), inactiveFlag: z.boolean().nullable().optional() }).passthrough();
export const board = z.object({ id: z.number(), name: z.string(), inactiveFlag: z.boolean().nullable().optional() }).passthrough();
export const created = z.object({ id: z.number() }).passthrough();

/** Only statuses a technician may move a ticket to while still working on it (F2). */
export function isOfferableStatus(s: BoardStatus): boolean {
  return !s.closedStatus && !s.inactive && !s.timeEntryNotAllowed;
}
