/**
 * Teams voice: the connection, the synced user directory, voice changes, the policy catalog and
 * the reconcile view. Shapes come from the server's schemas as types only.
 */
import { infiniteQueryOptions, keepPreviousData, queryOptions } from '@tanstack/react-query';
import type { z } from 'zod';
import type { TeamsPolicyType } from '../../core/policy-types.ts';
import type { connectionCheckSchema, policyCatalogSchema, teamsConnectionInput, teamsConnectionSchema, teamsUserSchema, voiceChangeInput, voiceChangeSchema } from '../../features/teams/schemas.ts';
import type { DriftFixResult, DriftReport } from '../../features/numbers/schemas.ts';
import type { VoiceProfileDto } from '../../features/teams/schemas.ts';
import { api } from './client.ts';
import { tenantApi } from './inventory.ts';
import type { NumberPageDto } from './types.ts';

export type { TeamsPolicyType };
export type TeamsConnectionDto = z.infer<typeof teamsConnectionSchema>;
export type TeamsConnectionInput = z.input<typeof teamsConnectionInput>;
export type ConnectionCheckDto = z.infer<typeof connectionCheckSchema>;
export type TeamsUserDto = z.infer<typeof teamsUserSchema>;
export type VoiceChangeDto = z.infer<typeof voiceChangeSchema>;
export type VoiceChangeInput = z.input<typeof voiceChangeInput>;
export type VoiceState = VoiceChangeDto['before'];
export type PolicyCatalogDto = z.infer<typeof policyCatalogSchema>;
export type PolicyTypeDto = PolicyCatalogDto[number];
export type CatalogPolicyDto = PolicyTypeDto['policies'][number];
export type { VoiceProfileDto };
export type NumberSourceDto = NonNullable<VoiceProfileDto['numberSource']>;
export type VoiceProfileInput = { name: string; numberSource: NumberSourceDto | null; policies: Record<string, string | null>; licenceSkuIds?: string[]; usageLocation?: string | null };
export type CertificateGeneratedDto = { certificatePem: string; thumbprint: string; connection: TeamsConnectionDto };

export const teamsKeys = {
  all: (tenantId: string) => ['teams', tenantId] as const,
  connection: (tenantId: string) => ['teams', tenantId, 'connection'] as const,
  users: (tenantId: string) => ['teams', tenantId, 'users'] as const,
  search: (tenantId: string, term: string) => ['teams', tenantId, 'users', 'search', term] as const,
  user: (tenantId: string, userId: string) => ['teams', tenantId, 'users', 'one', userId] as const,
  changes: (tenantId: string) => ['teams', tenantId, 'changes'] as const,
  userChanges: (tenantId: string, userId: string) => ['teams', tenantId, 'changes', 'user', userId] as const,
  change: (tenantId: string, changeId: string) => ['teams', tenantId, 'changes', 'one', changeId] as const,
  policies: (tenantId: string) => ['teams', tenantId, 'policies'] as const,
  reconcile: (tenantId: string) => ['teams', tenantId, 'reconcile'] as const,
  profiles: (tenantId: string) => ['teams', tenantId, 'profiles'] as const,
  // Under the tenant's inventory (refreshed with any number change), but not under its numbers
  // table key: the table's cache updates expect infinite pages there.
  pickerNumbers: (tenantId: string, term: string) => ['inventory', tenantId, 'voice-picker', term] as const,
};

const t = tenantApi;
const enc = encodeURIComponent;

export const teamsConnectionQuery = (tenantId: string) =>
  queryOptions({ queryKey: teamsKeys.connection(tenantId), queryFn: () => api.get<TeamsConnectionDto>(`${t(tenantId)}/connections/teams`) });

export const certificateUrl = (tenantId: string) => `${t(tenantId)}/connections/teams/certificate.cer`;

export const USER_SEARCH_LIMIT = 25;

export const teamsUserSearchQuery = (tenantId: string, term: string) =>
  queryOptions({
    queryKey: teamsKeys.search(tenantId, term),
    queryFn: async ({ signal }) => {
      const params = new URLSearchParams({ search: term, limit: String(USER_SEARCH_LIMIT) });
      return (await api.get<{ users: TeamsUserDto[] }>(`${t(tenantId)}/teams/users?${params.toString()}`, signal)).users;
    },
    enabled: term.trim().length > 0,
    placeholderData: keepPreviousData,
  });

export type DirectoryFreshnessDto = { syncedAt: string | null; refreshing: boolean; staleAfterMinutes: number };

/** How fresh the synced users are; asking refreshes a stale directory in the background. Polled while that runs. */
export const directoryFreshnessQuery = (tenantId: string) =>
  queryOptions({
    queryKey: [...teamsKeys.users(tenantId), 'directory'] as const,
    queryFn: ({ signal }) => api.get<DirectoryFreshnessDto>(`${t(tenantId)}/teams/directory`, signal),
    refetchInterval: (query) => (query.state.data?.refreshing ? 3000 : false),
    staleTime: 0,
  });

/** One user, read from Teams now (the server refreshes its copy on the way). */
export const teamsUserLiveQuery = (tenantId: string, userId: string) =>
  queryOptions({
    queryKey: teamsKeys.user(tenantId, userId),
    queryFn: ({ signal }) => api.get<TeamsUserDto>(`${t(tenantId)}/teams/users/${enc(userId)}?live=true`, signal),
    staleTime: 30_000,
  });

/** The copy synced last, when Teams cannot be reached. */
export const teamsUserCachedQuery = (tenantId: string, userId: string) =>
  queryOptions({
    queryKey: [...teamsKeys.user(tenantId, userId), 'cached'] as const,
    queryFn: ({ signal }) => api.get<TeamsUserDto>(`${t(tenantId)}/teams/users/${enc(userId)}`, signal),
  });

export const userChangesQuery = (tenantId: string, userId: string) =>
  queryOptions({
    queryKey: teamsKeys.userChanges(tenantId, userId),
    queryFn: async () => (await api.get<{ changes: VoiceChangeDto[] }>(`${t(tenantId)}/voice-changes?userId=${enc(userId)}&limit=50`)).changes,
  });

/** The tenant-wide list's filters, as the page's address keeps them (issue #17 item 4). */
export type VoiceChangeFilters = { user?: string; operator?: string; ticket?: string; status?: string; from?: string; to?: string };
export const VOICE_CHANGES_PAGE = 50;

/** The tenant's voice changes, newest first, one page per "Load more"; polled while any is pending. */
export const tenantChangesQuery = (tenantId: string, filters: VoiceChangeFilters) =>
  infiniteQueryOptions({
    queryKey: [...teamsKeys.changes(tenantId), 'list', filters] as const,
    queryFn: ({ pageParam, signal }) => {
      const params = new URLSearchParams({ limit: String(VOICE_CHANGES_PAGE) });
      for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
      if (pageParam) params.set('cursor', pageParam);
      return api.get<{ changes: VoiceChangeDto[]; nextCursor: string | null }>(`${t(tenantId)}/voice-changes?${params.toString()}`, signal);
    },
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: (query) => (query.state.data?.pages.some((p) => p.changes.some((c) => c.status === 'pending')) ? CHANGE_POLL_MS : false),
  });

/** Only these changes of a tenant (the audit log asks which of its voice events can be reverted). */
export const changesByIdQuery = (tenantId: string, ids: string[]) =>
  queryOptions({
    queryKey: [...teamsKeys.changes(tenantId), 'ids', ids] as const,
    queryFn: async ({ signal }) => (await api.get<{ changes: VoiceChangeDto[] }>(`${t(tenantId)}/voice-changes?ids=${ids.map(enc).join(',')}&limit=200`, signal)).changes,
    enabled: ids.length > 0,
  });

export const CHANGE_POLL_MS = 1_500;

/** A change followed until Teams has the last word: polled every 1.5 s while pending. */
export const voiceChangeQuery = (tenantId: string, changeId: string) =>
  queryOptions({
    queryKey: teamsKeys.change(tenantId, changeId),
    queryFn: () => api.get<VoiceChangeDto>(`${t(tenantId)}/voice-changes/${enc(changeId)}`),
    // Then, while the change is being logged on its ticket, a little longer (slower when ConnectWise is retried).
    refetchInterval: (query) => {
      const data = query.state.data;
      if (data === undefined || data.status === 'pending' || data.ticketLog.status === 'queued') return CHANGE_POLL_MS;
      return data.ticketLog.status === 'retrying' ? 5_000 : false;
    },
    refetchIntervalInBackground: true,
    staleTime: 0,
  });

export const policiesQuery = (tenantId: string) =>
  queryOptions({ queryKey: teamsKeys.policies(tenantId), queryFn: async () => (await api.get<{ types: PolicyCatalogDto }>(`${t(tenantId)}/teams/policies`)).types });

/** The catalog with when it was last read from Teams and whether this server has the PowerShell bridge. */
export type PolicyCatalogPageDto = { types: PolicyCatalogDto; refreshedAt: string | null; powershellBridge: boolean };
export const policyCatalogPageQuery = (tenantId: string) =>
  queryOptions({ queryKey: [...teamsKeys.policies(tenantId), 'page'] as const, queryFn: () => api.get<PolicyCatalogPageDto>(`${t(tenantId)}/teams/policies`) });

export const reconcileQuery = (tenantId: string) =>
  queryOptions({ queryKey: teamsKeys.reconcile(tenantId), queryFn: () => api.get<DriftReport>(`${t(tenantId)}/teams/reconcile`), staleTime: 0 });

export const profilesQuery = (tenantId: string) =>
  queryOptions({ queryKey: teamsKeys.profiles(tenantId), queryFn: async () => (await api.get<{ profiles: VoiceProfileDto[] }>(`${t(tenantId)}/voice-profiles`)).profiles });

export const PICKER_LIMIT = 20;

/** Inventory numbers Teams can use and nobody holds: available or reserved, of a Teams kind. */
export const pickerNumbersQuery = (tenantId: string, term: string) =>
  queryOptions({
    queryKey: teamsKeys.pickerNumbers(tenantId, term),
    queryFn: ({ signal }) => {
      const params = new URLSearchParams({ status: 'available,reserved', kind: 'direct_routing,calling_plan,operator_connect', limit: String(PICKER_LIMIT), sort: 'e164', withTotal: 'true' });
      if (term.trim()) params.set('search', term.trim());
      return api.get<NumberPageDto>(`${t(tenantId)}/numbers?${params.toString()}`, signal);
    },
    placeholderData: keepPreviousData,
  });

export const teamsApi = {
  saveConnection: (tenantId: string, input: TeamsConnectionInput) => api.put<TeamsConnectionDto>(`${t(tenantId)}/connections/teams`, input),
  generateCertificate: (tenantId: string) => api.post<CertificateGeneratedDto>(`${t(tenantId)}/connections/teams/certificate/generate`),
  uploadCertificate: (tenantId: string, body: { pfxBase64: string; password?: string } | { certificatePem: string; privateKeyPem: string }) =>
    api.post<TeamsConnectionDto>(`${t(tenantId)}/connections/teams/certificate`, body),
  test: (tenantId: string) => api.post<ConnectionCheckDto>(`${t(tenantId)}/connections/teams/test`),
  deleteConnection: (tenantId: string) => api.delete<TeamsConnectionDto>(`${t(tenantId)}/connections/teams`),
  sync: (tenantId: string) => api.post<{ users: number; removed: number }>(`${t(tenantId)}/teams/sync`),
  requestChange: (tenantId: string, userId: string, body: VoiceChangeInput) => api.post<VoiceChangeDto>(`${t(tenantId)}/teams/users/${enc(userId)}/voice`, body),
  revert: (tenantId: string, changeId: string, ticketId: string | null) => api.post<VoiceChangeDto>(`${t(tenantId)}/voice-changes/${enc(changeId)}/revert`, ticketId ? { ticketId } : {}),
  refreshPolicies: (tenantId: string) => api.post<{ added: number; byType: Record<string, number>; refreshedAt: string }>(`${t(tenantId)}/teams/policies/refresh`),
  addPolicy: (tenantId: string, body: { policyType: TeamsPolicyType; name: string; description?: string }) => api.post<CatalogPolicyDto>(`${t(tenantId)}/teams/policies`, body),
  saveProfile: (tenantId: string, profileId: string | null, body: VoiceProfileInput) =>
    profileId ? api.put<VoiceProfileDto>(`${t(tenantId)}/voice-profiles/${enc(profileId)}`, body) : api.post<VoiceProfileDto>(`${t(tenantId)}/voice-profiles`, body),
  deleteProfile: (tenantId: string, profileId: string) => api.delete<{ ok: true }>(`${t(tenantId)}/voice-profiles/${enc(profileId)}`),
  applyProfile: (tenantId: string, userId: string, profileId: string, ticketId: string | null) =>
    api.post<VoiceChangeDto>(`${t(tenantId)}/teams/users/${enc(userId)}/apply-profile`, { profileId, ...(ticketId ? { ticketId } : {}) }),
  fixDrift: (tenantId: string, numbers: string[] | 'all') => api.post<DriftFixResult>(`${t(tenantId)}/teams/reconcile/fix`, { numbers }),
};
