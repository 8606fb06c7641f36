import { queryOptions } from '@tanstack/react-query';
import { api } from './client.ts';
import type { BulkJobDto } from './bulk.ts';
import type { EmergencyListDto, EmergencyLocationDto, EmergencyReportDto, LocationDefaultsDto } from '../../features/emergency/schemas.ts';
import type { NumberDto } from './types.ts';
import { uploadFile } from './upload.ts';

export type { EmergencyIssueDto, EmergencyListDto, EmergencyLocationDto, EmergencyReportDto, LocationDefaultsDto } from '../../features/emergency/schemas.ts';

const base = (tenantId: string) => `/api/tenants/${encodeURIComponent(tenantId)}`;

export const emergencyKeys = {
  all: (tenantId: string) => ['emergency', tenantId] as const,
  locations: (tenantId: string) => ['emergency', tenantId, 'locations'] as const,
  defaults: (tenantId: string) => ['emergency', tenantId, 'defaults'] as const,
  report: (tenantId: string) => ['emergency', tenantId, 'report'] as const,
};

export const emergencyLocationsQuery = (tenantId: string) => queryOptions({ queryKey: emergencyKeys.locations(tenantId), queryFn: () => api.get<EmergencyListDto>(`${base(tenantId)}/emergency/locations`) });
export const locationDefaultsQuery = (tenantId: string) => queryOptions({ queryKey: emergencyKeys.defaults(tenantId), queryFn: () => api.get<LocationDefaultsDto>(`${base(tenantId)}/emergency/defaults`) });
/** Read afresh on every visit: a fix runs as a bulk job, and the numbers change behind the page. */
export const emergencyReportQuery = (tenantId: string) => queryOptions({ queryKey: emergencyKeys.report(tenantId), queryFn: () => api.get<EmergencyReportDto>(`${base(tenantId)}/emergency/report`), staleTime: 0 });

export type NewAddressInput = {
  companyName: string;
  countryOrRegion: string;
  description?: string;
  houseNumber?: string;
  streetName?: string;
  city?: string;
  stateOrProvince?: string;
  postalCode?: string;
  place?: string;
};

export const emergencyApi = {
  refresh: (tenantId: string) => api.post<EmergencyListDto>(`${base(tenantId)}/emergency/locations/refresh`),
  importCsv: (tenantId: string, file: File) =>
    uploadFile<EmergencyListDto & { imported: number }>(`${base(tenantId)}/emergency/locations/import?${new URLSearchParams({ fileName: file.name.slice(0, 200) }).toString()}`, file, 'text/csv', () => undefined),
  createAddress: (tenantId: string, body: NewAddressInput) => api.post<{ civicAddressId: string; locations: EmergencyLocationDto[] }>(`${base(tenantId)}/emergency/addresses`, body),
  createPlace: (tenantId: string, body: { civicAddressId: string; place: string }) => api.post<EmergencyLocationDto>(`${base(tenantId)}/emergency/locations`, body),
  setDefault: (tenantId: string, kind: 'sites' | 'ranges', id: string, locationId: string | null) =>
    api.put<{ id: string; name: string; defaultLocationId: string | null }>(`${base(tenantId)}/emergency/defaults/${kind}/${encodeURIComponent(id)}`, { locationId }),
  readFromTeams: (tenantId: string) => api.post<EmergencyReportDto & { changed: number }>(`${base(tenantId)}/emergency/report/read-teams`),
  fix: (tenantId: string) => api.post<{ job: BulkJobDto | null; rows: number }>(`${base(tenantId)}/emergency/report/fix`, {}),
};

export const setNumberLocation = (tenantId: string, numberId: string, locationId: string | null) =>
  api.put<{ number: NumberDto; appliedInTeams: boolean }>(`${base(tenantId)}/numbers/${encodeURIComponent(numberId)}/emergency-location`, { locationId });

/** One line of an address as people write it: "1 Main St, Seattle, WA 98101". */
export function addressLine(l: Pick<EmergencyLocationDto, 'houseNumber' | 'streetName' | 'city' | 'stateOrProvince' | 'postalCode'>): string {
  const street = [l.houseNumber, l.streetName].filter(Boolean).join(' ');
  const region = [l.stateOrProvince, l.postalCode].filter(Boolean).join(' ');
  return [street, l.city, region].filter(Boolean).join(', ');
}
