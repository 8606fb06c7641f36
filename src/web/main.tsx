import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError } from './api/client.ts';
import { reloadSession } from './api/session.ts';
import { makeRouter } from './router.tsx';
import './styles.css';

/** Answers that mean "the session is not what this page thought": ask again and re-route. */
const sessionCodes = new Set(['unauthenticated', 'mfa_required', 'password_change_required', 'mfa_enrolment_required', 'csrf_failed']);

let recovering = false;
async function onApiError(error: unknown) {
  if (!(error instanceof ApiError) || !sessionCodes.has(error.code) || recovering) return;
  recovering = true;
  try {
    await reloadSession(queryClient);
    await router.invalidate();
  } catch {
    // The server is unreachable; the page shows the original error.
  } finally {
    recovering = false;
  }
}

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: (error) => void onApiError(error) }),
  mutationCache: new MutationCache({ onError: (error) => void onApiError(error) }),
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      // A 4xx will not fix itself; network blips and 5xx get two more tries.
      retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
    },
  },
});

const router = makeRouter(queryClient);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
