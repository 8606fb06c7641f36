import type { AppDeps } from '../kernel/deps.ts';
import { logOnTicket, TICKET_LOG_QUEUE, type TicketLogJob } from './ticket-logger.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { asBackgroundJob } from '../../connectors/shared/background.ts';

export async function declareTicketJobs(queue: JobQueue): Promise<void> {
  await queue.createQueue(TICKET_LOG_QUEUE);
}

export async function workTicketJobs(queue: JobQueue, deps: AppDeps, pollingIntervalSeconds = 2): Promise<void> {
  // Jobs queued before 3CX and number logging carry { changeId } (a voice change); logOnTicket reads both.
  await queue.work<TicketLogJob>(TICKET_LOG_QUEUE, { pollingIntervalSeconds }, async ([job]) => {
    // In the background ConnectWise's whole Retry-After is waited out; nobody is waiting on the note.
    if (job) await asBackgroundJob(() => logOnTicket(deps, job.data));
  });
}
