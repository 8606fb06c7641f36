import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECTWISE_API_VERSION, ConnectWiseError } from '../../../src/connectors/connectwise/client.ts';
import { conditionString, ManageApi } from '../../../src/connectors/connectwise/manage-api.ts';
import { createLogger } from '../../../src/app/logging.ts';
import { seedConnectWise, startConnectWiseSimulator, type RunningConnectWiseSimulator } from '../../../simulators/index.ts';

/** The ConnectWise connector against the Manage simulator (no database involved). */
describe('ConnectWise Manage connector', () => {
  let sim: RunningConnectWiseSimulator;
  let api: ManageApi;
  const credentials = { site: 'unused.example', companyId: 'contoso_msp', publicKey: 'demo-public-key', privateKey: 'demo-private-key', clientId: '0b7c4a5e-2d1f-4e8a-9c3b-5f6a7d8e9f01' };

  beforeAll(async () => {
    sim = await startConnectWiseSimulator({ port: 0, state: seedConnectWise({ ...credentials, clientId: credentials.clientId }) });
    api = new ManageApi({ ...credentials, baseUrl: sim.apiUrl }, createLogger('silent'));
  });
  afterAll(async () => {
    await sim.close();
  });

  it('pins the Manage API version in Accept on every call', async () => {
    // ConnectWise PSA "API Versioning": without a version in Accept, requests get the latest
    // models, which change at releases; production integrations should name one.
    sim.state.apiVersions.clear();
    await api.searchTickets({ openOnly: true, limit: 30 });
    await api.workTypes();
    expect([...sim.state.apiVersions.keys()]).toEqual([CONNECTWISE_API_VERSION]);
    expect(CONNECTWISE_API_VERSION).toMatch(/^\d{4}\.\d+$/);
  });

  it('searches open tickets by company and text, following the paging', async () => {
    const all = await api.searchTickets({ openOnly: true, limit: 1000 });
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((t) => t.closedFlag === false)).toBe(true);
    const company = all[0]!.company!.identifier!;
    const mine = await api.searchTickets({ companyIdentifier: company, limit: 1000 });
    expect(mine.every((t) => t.company?.identifier === company)).toBe(true);
    const word = all[0]!.summary.split(' ')[0]!;
    expect((await api.searchTickets({ text: word, limit: 1000 })).every((t) => t.summary.toLowerCase().includes(word.toLowerCase()))).toBe(true);
    expect(conditionString('say "hi"')).toBe('"say \\"hi\\""');
  });

  it('offers only statuses that are open, active and allow time (F2), and refuses the others', async () => {
    const ticket = (await api.searchTickets({ openOnly: true, limit: 1 }))[0]!;
    const every = await api.boardStatuses(ticket.board!.id);
    const offered = await api.offerableStatuses(ticket.board!.id);
    expect(every.some((s) => s.closedStatus)).toBe(true);
    expect(every.some((s) => s.inactive)).toBe(true);
    expect(every.some((s) => s.timeEntryNotAllowed)).toBe(true);
    expect(offered.length).toBeGreaterThan(0);
    expect(offered.every((s) => !s.closedStatus && !s.inactive && !s.timeEntryNotAllowed)).toBe(true);
    const closed = every.find((s) => s.closedStatus)!;
    await expect(api.setTicketStatus(ticket.id, closed.id)).rejects.toThrow(/closed, inactive or does not allow time/);
    const moved = await api.setTicketStatus(ticket.id, offered[0]!.id);
    expect(moved.status?.id).toBe(offered[0]!.id);
  });

  it('adds a note with its visibility flags, and refuses one without any flag', async () => {
    const ticket = (await api.searchTickets({ openOnly: true, limit: 1 }))[0]!;
    const id = await api.addNote(ticket.id, 'Assigned +14255551000 to ann@contoso.example', { detailDescriptionFlag: true, internalAnalysisFlag: false, resolutionFlag: false }, 'jdoe');
    expect(id).toBeGreaterThan(0);
    await expect(api.addNote(ticket.id, 'x', { detailDescriptionFlag: false, internalAnalysisFlag: false, resolutionFlag: false })).rejects.toThrow(/at least one of/);
  });

  it('time entries: the old tool\'s hard-coded role fails with Manage\'s message; no role lets Manage choose', async () => {
    const ticket = (await api.searchTickets({ openOnly: true, limit: 1 }))[0]!;
    const offered = await api.offerableStatuses(ticket.board!.id);
    await api.setTicketStatus(ticket.id, offered[0]!.id);
    const roles = await api.workRoles();
    const voiceEngineer = roles.find((r) => r.name === 'Voice Engineer')!;
    // asmith works at the Remote Office, where "Voice Engineer" is not valid.
    const error = await api
      .addTimeEntry({ ticketId: ticket.id, memberIdentifier: 'asmith', timeStart: new Date(Date.now() - 3_600_000), actualHours: 0.25, workRoleId: voiceEngineer.id, notes: 'Teams number change' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectWiseError);
    expect((error as Error).message).toMatch(/Work Role is not valid for the selected location/);
    const id = await api.addTimeEntry({ ticketId: ticket.id, memberIdentifier: 'asmith', timeStart: new Date(Date.now() - 3_600_000), actualHours: 0.25, notes: 'Teams number change' });
    expect(id).toBeGreaterThan(0);
    const entry = [...sim.state.timeEntries.values()].find((e) => e.id === id) as unknown as { workRole?: { name?: string } };
    expect(entry.workRole?.name).toBe('Remote Engineer');
  });

  it('bad keys are explained', async () => {
    const wrong = new ManageApi({ ...credentials, privateKey: 'wrong', baseUrl: sim.apiUrl }, createLogger('silent'));
    await expect(wrong.searchTickets({})).rejects.toThrow(/refused the API keys/);
  });
});
