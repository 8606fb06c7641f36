import { useQuery } from '@tanstack/react-query';
import { sessionQuery } from '../api/session.ts';
import type { Role } from '../api/types.ts';

/** What the signed-in operator's role lets them do (the server checks again on every request). */
export function useRole(): { role: Role; isAdmin: boolean; canOperate: boolean } {
  const { data } = useQuery(sessionQuery);
  const role = data?.operator?.role ?? 'viewer';
  return { role, isAdmin: role === 'admin', canOperate: role === 'admin' || role === 'operator' };
}
