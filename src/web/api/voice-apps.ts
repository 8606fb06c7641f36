import { queryOptions } from '@tanstack/react-query';
import { api } from './client.ts';
import type { VoiceAppsDto } from '../../features/voice-apps/schemas.ts';

export type { AutoAttendantDto, CallFlowDto, CallQueueDto, CallTargetDto, ResourceAccountDto, VoiceAppsDto } from '../../features/voice-apps/schemas.ts';

const base = (tenantId: string) => `/api/tenants/${encodeURIComponent(tenantId)}/voice-apps`;

export const voiceAppsKeys = { all: (tenantId: string) => ['voice-apps', tenantId] as const };
export const voiceAppsQuery = (tenantId: string) => queryOptions({ queryKey: voiceAppsKeys.all(tenantId), queryFn: () => api.get<VoiceAppsDto>(base(tenantId)) });
export const voiceAppsApi = {
  refresh: (tenantId: string) => api.post<VoiceAppsDto>(`${base(tenantId)}/refresh`),
  exportUrl: (tenantId: string) => `${base(tenantId)}/export`,
};
