import { describe, expect, it } from 'vitest';
import { applySelect, compileFilter, compileOrderBy, ODataQueryError, parseSelect } from '../../../simulators/shared/odata-filter.ts';

const users = [
  { id: 1, displayName: 'Ada Lovelace', upn: 'ada@contoso.example', enabled: true, location: 'GB', address: { city: 'London' } },
  { id: 2, displayName: 'Alan Turing', upn: 'alan@contoso.example', enabled: false, location: null, address: { city: 'Wilmslow' } },
  { id: 3, displayName: "Grace O'Hopper", upn: 'grace@contoso.example', enabled: true, location: 'US', address: { city: 'Arlington' } },
];
const ids = (filter: string, caseInsensitive = false) => users.filter(compileFilter(filter, { caseInsensitive })).map((user) => user.id);

describe('OData $filter', () => {
  it.each([
    ["displayName eq 'Ada Lovelace'", [1]],
    ["displayName ne 'Ada Lovelace'", [2, 3]],
    ['id gt 1', [2, 3]],
    ['id ge 2 and id le 2', [2]],
    ['id lt 2 or id eq 3', [1, 3]],
    ['enabled eq true', [1, 3]],
    ['location eq null', [2]],
    ["startswith(displayName,'A')", [1, 2]],
    ["endswith(upn,'@contoso.example')", [1, 2, 3]],
    ["contains(displayName,'ur')", [2]],
    ["displayName eq 'Grace O''Hopper'", [3]],
    ["address/city eq 'London'", [1]],
    ["not (enabled eq true)", [2]],
    ["(id eq 1 or id eq 2) and enabled eq true", [1]],
    ["tolower(displayName) eq 'alan turing'", [2]],
  ])('%s', (filter, expected) => {
    expect(ids(filter)).toEqual(expected);
  });

  it('compares strings case-insensitively when asked (directory semantics)', () => {
    expect(ids("startswith(displayName,'ada')")).toEqual([]);
    expect(ids("startswith(displayName,'ada')", true)).toEqual([1]);
  });

  it.each(["displayName eq 'open", 'id eq', "startswith(displayName 'x')", 'assignedLicenses/any(x:x/skuId eq 1)', "unknownfn(displayName,'x')", 'id eq 1 )'])('rejects %j', (filter) => {
    expect(() => compileFilter(filter)).toThrow(ODataQueryError);
  });

  it('refuses properties outside the allowed set', () => {
    expect(() => compileFilter("secret eq 'x'", { allowedProperties: new Set(['id']) })).toThrow(/secret/);
  });
});

describe('OData $orderby and $select', () => {
  it('orders by several keys, nulls first ascending', () => {
    expect([...users].sort(compileOrderBy('location asc, id desc')).map((user) => user.id)).toEqual([2, 1, 3]);
    expect([...users].sort(compileOrderBy('displayName desc')).map((user) => user.id)).toEqual([3, 2, 1]);
    expect(() => compileOrderBy('id sideways')).toThrow(ODataQueryError);
  });

  it('projects selected properties and keeps annotations', () => {
    expect(applySelect({ '@odata.etag': 'x', id: 1, name: 'a', extra: true }, parseSelect('id,name'))).toEqual({ '@odata.etag': 'x', id: 1, name: 'a' });
    expect(parseSelect(undefined)).toBeNull();
    expect(() => parseSelect('id,nope', new Set(['id']))).toThrow(ODataQueryError);
  });
});
