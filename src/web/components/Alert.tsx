import type { ReactNode } from 'react';
import { ApiError, errorMessage } from '../api/client.ts';

/**
 * A failed action, announced to screen readers as soon as it appears. With `fieldsShown`, a
 * form that shows each field's own message says so instead of repeating them all here.
 */
export function ErrorAlert({ error, className = '', fieldsShown = false }: { error: unknown; className?: string; fieldsShown?: boolean }) {
  if (!error) return null;
  const requestId = error instanceof ApiError && error.status >= 500 ? error.requestId : undefined;
  const perField = fieldsShown && error instanceof ApiError && error.code === 'validation_failed' && error.fields.length > 0;
  return (
    <div role="alert" className={`rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 ${className}`}>
      {perField ? `Not saved: ${error.fields.length === 1 ? 'one field needs' : `${error.fields.length} fields need`} attention (marked in red).` : errorMessage(error)}
      {requestId ? <span className="mt-1 block text-xs text-red-700">Request id: {requestId}</span> : null}
    </div>
  );
}

/** A polite confirmation (saved, copied, revoked). */
export function Notice({ children, tone = 'success', className = '' }: { children: ReactNode; tone?: 'success' | 'info' | 'warning'; className?: string }) {
  const tones = {
    success: 'border-green-200 bg-green-50 text-green-800',
    info: 'border-blue-200 bg-blue-50 text-blue-900',
    warning: 'border-amber-200 bg-amber-50 text-amber-900',
  };
  return (
    <div role="status" className={`rounded-md border px-3 py-2 text-sm ${tones[tone]} ${className}`}>
      {children}
    </div>
  );
}
