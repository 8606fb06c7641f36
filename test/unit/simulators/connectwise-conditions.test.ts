import { describe, expect, it } from 'vitest';
import { compileConditions, ConditionsError } from '../../../simulators/connectwise/conditions.ts';

const tickets = [
  { id: 1, summary: 'Teams number for Ada', closedFlag: false, board: { id: 1, name: 'Voice' }, company: { identifier: 'Contoso' }, status: { name: 'New' }, dateEntered: '2025-01-10T09:00:00Z', contact: null },
  { id: 2, summary: 'Printer jam', closedFlag: true, board: { id: 2, name: 'Help desk' }, company: { identifier: 'Fabrikam' }, status: { name: 'Closed' }, dateEntered: '2025-02-01T09:00:00Z', contact: { id: 5 } },
  { id: 3, summary: 'New TEAMS phone policy', closedFlag: false, board: { id: 3, name: 'Projects' }, company: { identifier: 'Contoso' }, status: { name: 'In Progress' }, dateEntered: '2024-12-24T09:00:00Z', contact: null },
];

const ids = (conditions: string): number[] => tickets.filter(compileConditions(conditions)).map((ticket) => ticket.id);

describe('ConnectWise conditions parser', () => {
  it.each([
    ['id = 2', [2]],
    ['id != 2', [1, 3]],
    ['id < 2', [1]],
    ['id <= 2', [1, 2]],
    ['id > 2', [3]],
    ['id >= 2', [2, 3]],
    ['summary like "%teams%"', [1, 3]],
    ['summary like "Teams%"', [1]],
    ['summary not like "%teams%"', [2]],
    ['summary contains "PRINTER"', [2]],
    ['closedFlag = false', [1, 3]],
    ['closedFlag = true', [2]],
    ['board/id in (1,3)', [1, 3]],
    ['board/id not in (1, 3)', [2]],
    ['company/identifier = "contoso"', [1, 3]],
    ['status/name in ("New", "In Progress")', [1, 3]],
    ['dateEntered > [2025-01-01T00:00:00Z]', [1, 2]],
    ['dateEntered < [2025-01-01T00:00:00Z]', [3]],
    ['contact = null', [1, 3]],
    ['contact/id = 5', [2]],
    ['summary like "%Teams%" and closedFlag = false and board/id in (1,2)', [1]],
    ['closedFlag = true or board/id = 3', [2, 3]],
    ['(board/id = 1 or board/id = 2) and closedFlag = false', [1]],
    ['not (closedFlag = true)', [1, 3]],
  ])('%s', (conditions, expected) => {
    expect(ids(conditions)).toEqual(expected);
  });

  it('treats keywords case-insensitively', () => {
    expect(ids('id = 1 OR id = 2')).toEqual([1, 2]);
    expect(ids('board/id IN (2)')).toEqual([2]);
  });

  it.each(['', 'summary = "open', 'id =', 'id = 1 and', '(id = 1', 'id in 1,2', 'dateEntered > [not a date]', 'id ~ 1', 'summary like'])('rejects malformed %j', (conditions) => {
    expect(() => compileConditions(conditions)).toThrow(ConditionsError);
  });

  it('refuses fields the caller does not know', () => {
    expect(() => compileConditions('nonsense = 1', (path) => path[0] !== 'nonsense')).toThrow(/nonsense/);
  });
});
