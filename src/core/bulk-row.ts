import { headerKey } from './import-csv.ts';
import { canonicalPolicyType } from './policy-types.ts';

/** One row of a bulk-assignment CSV as read, before it is judged. */
export type BulkRowInput = {
  upn: string;
  phoneNumber: string | null;
  numberType: string | null;
  policies: Record<string, string | null>;
  profile: string | null;
  /** The number's emergency location: a Teams LocationId or a location's name (absent in jobs from before #19). */
  location?: string | null;
};

/**
 * Reading one row of a bulk-assignment CSV (D5), without I/O. Header names are matched without
 * regard to case, spaces or underscores; policy columns are named by policy type (VoiceRoutingPolicy
 * and DialPlan as the short forms the old tool used).
 */
const fixedColumns: Record<string, keyof Omit<BulkRowInput, 'policies'>> = {
  userprincipalname: 'upn',
  upn: 'upn',
  user: 'upn',
  phonenumber: 'phoneNumber',
  number: 'phoneNumber',
  phonenumbertype: 'numberType',
  numbertype: 'numberType',
  profile: 'profile',
  locationid: 'location',
  location: 'location',
  emergencylocation: 'location',
  emergencylocationid: 'location',
};
const policyAliases: Record<string, string> = { voiceroutingpolicy: 'OnlineVoiceRoutingPolicy', dialplan: 'TenantDialPlan', callerid: 'CallingLineIdentity', callingpolicy: 'TeamsCallingPolicy' };

export type ColumnMap = Array<{ index: number; field: keyof Omit<BulkRowInput, 'policies'> } | { index: number; policyType: string } | { index: number; unknown: string }>;

export function mapBulkHeader(header: string[]): { columns: ColumnMap; problems: string[] } {
  const columns: ColumnMap = header.map((raw, index) => {
    const key = headerKey(raw);
    const field = fixedColumns[key];
    if (field) return { index, field };
    const policyType = canonicalPolicyType(policyAliases[key] ?? raw.trim());
    if (policyType) return { index, policyType };
    return { index, unknown: raw.trim() };
  });
  const problems: string[] = [];
  const has = (field: string) => columns.some((c) => 'field' in c && c.field === field);
  // A file that only sets emergency locations names numbers, not users.
  if (!has('upn') && !(has('phoneNumber') && has('location'))) problems.push('The first line must name the columns, with at least UserPrincipalName (or PhoneNumber and LocationId to set emergency locations).');
  const unknown = columns.filter((c): c is { index: number; unknown: string } => 'unknown' in c && c.unknown !== '');
  if (unknown.length) problems.push(`Unknown column(s): ${unknown.map((c) => c.unknown).join(', ')}. Use UserPrincipalName, PhoneNumber, PhoneNumberType, LocationId, VoiceRoutingPolicy, DialPlan, Profile or a Teams policy type.`);
  return { columns, problems };
}

export function readBulkRow(record: string[], columns: ColumnMap): BulkRowInput {
  const row: BulkRowInput = { upn: '', phoneNumber: null, numberType: null, policies: {}, profile: null, location: null };
  for (const column of columns) {
    const value = (record[column.index] ?? '').trim();
    if ('field' in column) {
      if (column.field === 'upn') row.upn = value.toLowerCase();
      else row[column.field] = value === '' ? null : value;
    } else if ('policyType' in column && value !== '') {
      // "-" or "inherit" removes a direct assignment; empty leaves the policy as it is.
      row.policies[column.policyType] = value === '-' || value.toLowerCase() === 'inherit' ? null : value;
    }
  }
  return row;
}

const numberTypes: Record<string, string> = { directrouting: 'direct_routing', callingplan: 'calling_plan', operatorconnect: 'operator_connect' };

export function inventoryKindOf(numberType: string | null): string | undefined {
  return numberType ? numberTypes[numberType.toLowerCase().replace(/[^a-z]/g, '')] : undefined;
}

/** "next site:Seattle" asks for the next free number of that site (any of its ranges). */
export function nextFromSite(phoneNumber: string | null): string | undefined {
  const match = phoneNumber ? /^next\s+site\s*:\s*(.+)$/i.exec(phoneNumber) : null;
  return match?.[1]?.trim();
}

/** "next:Seattle block" asks for the next free number of that range. */
export function nextFromRange(phoneNumber: string | null): string | undefined {
  const match = phoneNumber ? /^next\s*:\s*(.+)$/i.exec(phoneNumber) : null;
  return match?.[1]?.trim();
}
