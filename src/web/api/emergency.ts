import { queryOptions } from '@tanstack/react-query';
import { api } from './client.ts';
import type { EmergencyListDto } from '../../features/emergency/schemas.ts';
import type { NumberDto } from './types.ts';

export type { EmergencyListDto, EmergencyLocationDto, EmergencyReportDto } from '../../features/emergency/schemas.ts';

const base = (tenantId: string) => `/api/tenants/${encodeURIComponent(tenantId)}`;

export const emergencyLocationsQuery = (tenantId: string) => queryOptions({ queryKey: ['emergency', tenantId, 'locations'], queryFn: () => api.get<EmergencyListDto>(`${base(tenantId)}/emergency/locations`) });

export const setNumberLocation = (tenantId: string, numberId: string, locationId: string | null) =>
  api.put<{ number: NumberDto; appliedInTeams: boolean }>(`${base(tenantId)}/numbers/${encodeURIComponent(numberId)}/emergency-location`, { locationId });
