import { createContext, useContext } from 'react';
import type { TenantDto } from '../../api/types.ts';

export type TenantContextValue = {
  tenant: TenantDto;
  /** The operator may change numbers, ranges and sites here (role, and the tenant is not archived). */
  canWrite: boolean;
};

export const TenantContext = createContext<TenantContextValue | null>(null);

export function useTenant(): TenantContextValue {
  const value = useContext(TenantContext);
  if (!value) throw new Error('useTenant outside a tenant page');
  return value;
}

const LAST_TENANT = 'ucr.lastTenant';

export function rememberTenant(tenantId: string): void {
  try {
    localStorage.setItem(LAST_TENANT, tenantId);
  } catch {
    // Private mode or storage disabled: the picker simply asks again.
  }
}

export function lastTenant(): string | null {
  try {
    return localStorage.getItem(LAST_TENANT);
  } catch {
    return null;
  }
}
