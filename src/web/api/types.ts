// Shapes shared with the server: types only, nothing from the server ends up in the bundle.
import type { OperatorDto } from '../../features/identity/schemas.ts';
import type { NumberDto } from '../../features/numbers/schemas.ts';

export type { ApiTokenDto, OperatorDto, SessionStateDto } from '../../features/identity/schemas.ts';
export type { AuditEventDto } from '../../features/audit/schemas.ts';
export type { SettingsDto } from '../../features/settings/schemas.ts';
export type { NumberDto, RangeDto } from '../../features/numbers/schemas.ts';
export type { SiteDto, TenantDto } from '../../features/tenants/schemas.ts';
export type { BulkReportDto, ImportError, ImportReport } from '../../features/numbers/schemas.ts';

export type Role = OperatorDto['role'];
export type MeDto = OperatorDto & { recoveryCodesLeft: number };
export type TotpEnrolmentDto = { secret: string; uri: string; qrSvg: string };
export type RecoveryCodesDto = { recoveryCodes: string[] };

export type NumberStatus = NumberDto['status'];
export type NumberKind = NumberDto['kind'];
export type Assignee = NonNullable<NumberDto['assignee']>;

export type NumberPageDto = { numbers: NumberDto[]; next: string | null; total?: number };
export type FacetsDto = { carriers: string[]; tags: string[] };
export type StatusCounts = Record<string, number>;
export type UtilisationDto = {
  counts: StatusCounts;
  ranges: { id: string; name: string; size: number; counts: StatusCounts; utilisation: number }[];
  history: { day: string; counts: StatusCounts }[];
};
export type NumberHistoryEventDto = {
  id: number;
  occurredAt: string;
  actor: string;
  action: string;
  before: unknown;
  after: unknown;
  result: 'success' | 'failure';
  error: string | null;
  ticketId: string | null;
  requestId: string | null;
};
