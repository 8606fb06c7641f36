import { queryOptions, type QueryClient } from '@tanstack/react-query';
import { api, setCsrfToken } from './client.ts';
import type { SessionStateDto } from './types.ts';

export const sessionKey = ['session'] as const;

async function fetchSession(): Promise<SessionStateDto> {
  const session = await api.get<SessionStateDto>('/api/auth/session');
  setCsrfToken(session.csrfToken);
  return session;
}

export const sessionQuery = queryOptions({ queryKey: sessionKey, queryFn: fetchSession, staleTime: 30_000 });

/** Which sign-in methods the server offers (the Microsoft button shows only when Entra ID is configured). */
export type ProvidersDto = { password: true; entra: boolean };
export const providersQuery = queryOptions({
  queryKey: ['auth', 'providers'] as const,
  queryFn: () => api.get<ProvidersDto>('/api/auth/providers'),
  staleTime: Infinity,
});

/** Full-page navigation into the Entra ID sign-in; the server answers with a redirect to Microsoft. */
export function entraSignInHref(redirect: string | undefined): string {
  const target = safeRedirect(redirect);
  return target === '/' ? '/api/auth/entra/start' : `/api/auth/entra/start?redirect=${encodeURIComponent(target)}`;
}

/** Keeps the CSRF token and the cached session in step with the server's latest answer. */
export function storeSession(queryClient: QueryClient, session: SessionStateDto): SessionStateDto {
  setCsrfToken(session.csrfToken);
  queryClient.setQueryData(sessionKey, session);
  return session;
}

/** Asks the server again (after a password change, enrolment, or a 401/403 elsewhere). */
export async function reloadSession(queryClient: QueryClient): Promise<SessionStateDto> {
  return storeSession(queryClient, await fetchSession());
}

export async function signIn(queryClient: QueryClient, email: string, password: string): Promise<SessionStateDto> {
  return storeSession(queryClient, await api.post<SessionStateDto>('/api/auth/login', { email, password }));
}

export async function completeMfa(queryClient: QueryClient, input: { code: string } | { recoveryCode: string }): Promise<SessionStateDto> {
  return storeSession(queryClient, await api.post<SessionStateDto>('/api/auth/mfa', input));
}

/** Forgets everything cached for the previous operator. */
export function forgetSession(queryClient: QueryClient): void {
  queryClient.clear();
  storeSession(queryClient, { signedIn: false });
}

export async function signOut(queryClient: QueryClient): Promise<void> {
  try {
    await api.post('/api/auth/logout');
  } finally {
    forgetSession(queryClient);
  }
}

/** The page a session must be on before anything else, or null when it may use the app. */
export type Gate = '/sign-in' | '/sign-in/mfa' | '/setup/password' | '/setup/mfa' | null;

export function gateOf(session: SessionStateDto): Gate {
  if (!session.signedIn) return '/sign-in';
  if (session.stage !== 'full') return '/sign-in/mfa';
  if (session.obligation === 'password_change_required') return '/setup/password';
  if (session.obligation === 'mfa_enrolment_required') return '/setup/mfa';
  return null;
}

/** Only same-origin paths are followed after sign-in, never another site. */
export function safeRedirect(target: string | undefined): string {
  if (!target || !target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) return '/';
  if (target.startsWith('/sign-in') || target.startsWith('/setup') || target.startsWith('/pending-approval')) return '/';
  return target;
}
