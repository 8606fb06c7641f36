import { ManageAPI } from 'connectwise-rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConnectWise } from '../../../simulators/connectwise/seed.ts';
import { startConnectWiseSimulator } from '../../../simulators/connectwise/server.ts';
import type { RunningConnectWiseSimulator } from '../../../simulators/connectwise/server.ts';

// The third-party `connectwise-rest` client speaks HTTPS only, so the simulator serves TLS
// with its self-signed certificate; certificate checks are off for this test process only.

let cw: RunningConnectWiseSimulator;
let manage: ManageAPI;
const previousTlsSetting = process.env.NODE_TLS_REJECT_UNAUTHORIZED;

beforeAll(async () => {
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  cw = await startConnectWiseSimulator({ tls: true, state: seedConnectWise({ clientId: 'client-guid', ticketCount: 40 }) });
  manage = new ManageAPI({
    companyId: 'contoso_msp',
    publicKey: 'demo-public-key',
    privateKey: 'demo-private-key',
    companyUrl: new URL(cw.url).host,
    clientId: 'client-guid',
    entryPoint: 'v4_6_release',
    logger: () => {},
  });
});
afterAll(async () => {
  await cw.close();
  if (previousTlsSetting === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previousTlsSetting;
});

describe('ConnectWise simulator with connectwise-rest (ManageAPI)', () => {
  it('searches tickets with conditions', async () => {
    expect(cw.url.startsWith('https://')).toBe(true);
    const tickets = await manage.ServiceAPI.getServiceTickets({ conditions: 'closedFlag = false and board/id = 1', orderBy: 'id asc', pageSize: 100 });
    const expected = cw.state.tickets.filter((ticket) => !ticket.closedFlag && ticket.board.id === 1).map((ticket) => ticket.id);
    expect(tickets.map((ticket) => ticket.id)).toEqual(expected);
  });

  it('paginates with the client helper', async () => {
    const all = await manage.paginate(manage.ServiceAPI.getServiceTickets, { startPage: 1, pageSize: 15 }, {});
    expect(all).toHaveLength(40);
  });

  it('creates a note on a ticket', async () => {
    const note = await manage.ServiceAPI.postServiceTicketsByParentIdNotes(5002, { text: 'Number +14255551000 assigned by UCR Manager', detailDescriptionFlag: true, member: { identifier: 'jdoe' } } as never);
    expect(note).toMatchObject({ ticketId: 5002, detailDescriptionFlag: true });
    expect(cw.state.notes.some((stored) => stored.ticketId === 5002 && stored.text.includes('+14255551000'))).toBe(true);
  });

  it('rejects with the Manage error body on a validation failure', async () => {
    await expect(manage.ServiceAPI.postServiceTicketsByParentIdNotes(5002, { text: 'no flag' } as never)).rejects.toMatchObject({ status: 400, data: { code: 'InvalidObject' } });
  });
});
