/** The cross-tenant reports (#19), each for every tenant in scope or the one chosen. */
import { queryOptions } from '@tanstack/react-query';
import type { LicensedWithoutNumberReportDto, RangeUseDto, RangesRunningOutReportDto, ReportName, StatusCountsDto, TeamsDriftReportDto, UtilisationReportDto } from '../../features/reports/schemas.ts';
import { api } from './client.ts';

export type { LicensedWithoutNumberReportDto, RangeUseDto, RangesRunningOutReportDto, ReportName, StatusCountsDto, TeamsDriftReportDto, UtilisationReportDto };

const path = (name: ReportName, tenantId: string, suffix = '') => `/api/reports/${name}${suffix}${tenantId ? `?tenantId=${encodeURIComponent(tenantId)}` : ''}`;

/** Where the report's CSV downloads from (every row; the browser sends the session cookie). */
export const reportCsvUrl = (name: ReportName, tenantId: string) => path(name, tenantId, '/export');

export const reportQuery = <T,>(name: ReportName, tenantId: string) =>
  queryOptions({ queryKey: ['reports', name, tenantId] as const, queryFn: () => api.get<T>(path(name, tenantId)) });
