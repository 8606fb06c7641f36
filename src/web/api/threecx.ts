/** 3CX: the connection, extensions, DIDs, trunks, changes and the reconcile view. Shapes come from the server's schemas as types only. */
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import type { z } from 'zod';
import type { changeSchema, connectionTestSchema, threeCxSystemSchema, createExtensionInput, didSchema, extensionSchema, threeCxConnectionInput, threeCxConnectionSchema, renumberExtensionInput, trunkInput, trunkSchema, updateExtensionInput } from '../../features/threecx/schemas.ts';
import type { DriftFixResult, DriftReport } from '../../features/numbers/schemas.ts';
import { api } from './client.ts';
import { tenantApi } from './inventory.ts';
import type { NumberPageDto } from './types.ts';

export type ThreeCxConnectionDto = z.infer<typeof threeCxConnectionSchema>;
export type ThreeCxConnectionInput = z.input<typeof threeCxConnectionInput>;
export type ThreeCxTestDto = z.infer<typeof connectionTestSchema>;
export type ExtensionDto = z.infer<typeof extensionSchema>;
export type CreateExtensionInput = z.input<typeof createExtensionInput>;
export type UpdateExtensionInput = z.input<typeof updateExtensionInput>;
export type RenumberExtensionInput = z.input<typeof renumberExtensionInput>;
export type TrunkDto = z.infer<typeof trunkSchema>;
export type TrunkInput = z.input<typeof trunkInput>;
export type DidDto = z.infer<typeof didSchema>;
export type ThreeCxChangeDto = z.infer<typeof changeSchema>;
export type ThreeCxSystemDto = z.infer<typeof threeCxSystemSchema>;

export const threeCxKeys = {
  all: (tenantId: string) => ['threecx', tenantId] as const,
  connection: (tenantId: string) => ['threecx', tenantId, 'connection'] as const,
  extensions: (tenantId: string, search: string, page: number) => ['threecx', tenantId, 'extensions', search, page] as const,
  dids: (tenantId: string) => ['threecx', tenantId, 'dids'] as const,
  trunks: (tenantId: string) => ['threecx', tenantId, 'trunks'] as const,
  system: (tenantId: string) => ['threecx', tenantId, 'system'] as const,
  changes: (tenantId: string) => ['threecx', tenantId, 'changes'] as const,
  reconcile: (tenantId: string) => ['threecx', tenantId, 'reconcile'] as const,
  // Under the tenant's inventory key, so any number change refreshes it.
  pickerDids: (tenantId: string, term: string) => ['inventory', tenantId, 'threecx-picker', term] as const,
};

const t = tenantApi;
export const EXTENSIONS_PAGE_SIZE = 50;

export const threeCxConnectionQuery = (tenantId: string) => queryOptions({ queryKey: threeCxKeys.connection(tenantId), queryFn: () => api.get<ThreeCxConnectionDto>(`${t(tenantId)}/connections/threecx`) });

export const extensionsQuery = (tenantId: string, search: string, page: number) =>
  queryOptions({
    queryKey: threeCxKeys.extensions(tenantId, search, page),
    queryFn: ({ signal }) => {
      const params = new URLSearchParams({ page: String(page), pageSize: String(EXTENSIONS_PAGE_SIZE) });
      if (search) params.set('search', search);
      return api.get<{ extensions: ExtensionDto[]; total: number; page: number; pageSize: number }>(`${t(tenantId)}/threecx/extensions?${params.toString()}`, signal);
    },
    placeholderData: keepPreviousData,
    retry: false,
  });

export const didsQuery = (tenantId: string) => queryOptions({ queryKey: threeCxKeys.dids(tenantId), queryFn: () => api.get<{ dids: DidDto[]; consoleUrl: string | null }>(`${t(tenantId)}/threecx/dids`), retry: false });
export const trunksQuery = (tenantId: string) => queryOptions({ queryKey: threeCxKeys.trunks(tenantId), queryFn: async () => (await api.get<{ trunks: TrunkDto[] }>(`${t(tenantId)}/threecx/trunks`)).trunks, retry: false });
export const threeCxSystemQuery = (tenantId: string) => queryOptions({ queryKey: threeCxKeys.system(tenantId), queryFn: () => api.get<ThreeCxSystemDto>(`${t(tenantId)}/threecx/system`), retry: false });
export const threeCxChangesQuery = (tenantId: string) => queryOptions({ queryKey: threeCxKeys.changes(tenantId), queryFn: async () => (await api.get<{ changes: ThreeCxChangeDto[] }>(`${t(tenantId)}/threecx/changes?limit=30`)).changes, retry: false });
export const threeCxReconcileQuery = (tenantId: string) =>
  queryOptions({ queryKey: threeCxKeys.reconcile(tenantId), queryFn: () => api.get<DriftReport>(`${t(tenantId)}/threecx/reconcile`), retry: false });

/** Free 3CX DIDs of the inventory, for the extension dialog. */
export const pickerDidsQuery = (tenantId: string, term: string) =>
  queryOptions({
    queryKey: threeCxKeys.pickerDids(tenantId, term),
    queryFn: ({ signal }) => {
      const params = new URLSearchParams({ status: 'available,reserved', kind: 'threecx_did', limit: '50', sort: 'e164', withTotal: 'true' });
      if (term.trim()) params.set('search', term.trim());
      return api.get<NumberPageDto>(`${t(tenantId)}/numbers?${params.toString()}`, signal);
    },
    placeholderData: keepPreviousData,
  });

const ticket = (ticketId: string) => (ticketId.trim() ? ticketId.trim() : undefined);

export const threeCxApi = {
  saveConnection: (tenantId: string, input: ThreeCxConnectionInput) => api.put<ThreeCxConnectionDto>(`${t(tenantId)}/connections/threecx`, input),
  deleteConnection: (tenantId: string) => api.delete<ThreeCxConnectionDto>(`${t(tenantId)}/connections/threecx`),
  testConnection: (tenantId: string, securityCode?: string) => api.post<ThreeCxTestDto>(`${t(tenantId)}/connections/threecx/test`, securityCode ? { securityCode } : {}),
  createExtension: (tenantId: string, input: CreateExtensionInput) => api.post<ExtensionDto>(`${t(tenantId)}/threecx/extensions`, input),
  updateExtension: (tenantId: string, id: number, input: UpdateExtensionInput) => api.patch<ExtensionDto>(`${t(tenantId)}/threecx/extensions/${id}`, input),
  renumberExtension: (tenantId: string, id: number, input: RenumberExtensionInput) => api.post<ExtensionDto>(`${t(tenantId)}/threecx/extensions/${id}/renumber`, input),
  deleteExtension: (tenantId: string, id: number, ticketId: string) => api.delete<{ deleted: ExtensionDto }>(`${t(tenantId)}/threecx/extensions/${id}${ticket(ticketId) ? `?ticketId=${ticket(ticketId)}` : ''}`),
  revert: (tenantId: string, changeId: number) => api.post<unknown>(`${t(tenantId)}/threecx/changes/${changeId}/revert`, {}),
  createDid: (tenantId: string, number: string, trunkId: number) => api.post<unknown>(`${t(tenantId)}/threecx/dids`, { number, trunkId }),
  updateDid: (tenantId: string, did: string, body: { number?: string; trunkId?: number; ticketId?: string }) => api.patch<TrunkDto>(`${t(tenantId)}/threecx/dids/${encodeURIComponent(did)}`, body),
  deleteDid: (tenantId: string, did: string, body: { ticketId?: string; ticketLog?: unknown }) => api.delete<TrunkDto>(`${t(tenantId)}/threecx/dids/${encodeURIComponent(did)}`, body),
  updateTrunk: (tenantId: string, id: number, input: TrunkInput) => api.patch<TrunkDto>(`${t(tenantId)}/threecx/trunks/${id}`, input),
  fixDrift: (tenantId: string, numbers: string[] | 'all') => api.post<DriftFixResult>(`${t(tenantId)}/threecx/reconcile/fix`, { numbers }),
};

export const ticketOf = ticket;
