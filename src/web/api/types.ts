// Shapes shared with the server: types only, nothing from the server ends up in the bundle.
import type { OperatorDto } from '../../http/schemas/common.ts';

export type { ApiTokenDto, AuditEventDto, OperatorDto, SessionStateDto, SettingsDto } from '../../http/schemas/common.ts';

export type Role = OperatorDto['role'];
export type MeDto = OperatorDto & { recoveryCodesLeft: number };
export type TotpEnrolmentDto = { secret: string; uri: string; qrSvg: string };
export type RecoveryCodesDto = { recoveryCodes: string[] };
