import { formatDateTime } from '../lib/format.ts';

/** What a connection test answers for every external system: an overall verdict and its steps. */
export type ConnectionCheck = { ok: boolean; steps: Array<{ name: string; ok: boolean; message: string }> };

/** A stored last test result is JSON from the server: only a check-shaped value is shown. */
export function isConnectionCheck<T extends ConnectionCheck = ConnectionCheck>(value: unknown): value is T {
  return typeof value === 'object' && value !== null && Array.isArray((value as ConnectionCheck).steps);
}

type Props = { check: ConnectionCheck; at?: string | undefined; okText: string; failText: string; testId: string; stepTestId?: string };

/** The result of a connection test, step by step, in plain words. */
export function ConnectionCheckResult({ check, at, okText, failText, testId, stepTestId }: Props) {
  return (
    <div className={`rounded-md border px-4 py-3 ${check.ok ? 'border-green-200 bg-green-50' : 'border-red-200 bg-red-50'}`} data-testid={testId}>
      <p className={`text-sm font-medium ${check.ok ? 'text-green-900' : 'text-red-900'}`}>
        {check.ok ? okText : failText}
        {at ? <span className="font-normal text-zinc-600"> Tested {formatDateTime(at)}.</span> : null}
      </p>
      <ol className="mt-2 space-y-1.5 text-sm">
        {check.steps.map((step) => (
          <li key={step.name} className="flex items-start gap-2" data-testid={stepTestId}>
            <span aria-hidden="true" className={`w-4 font-semibold ${step.ok ? 'text-green-700' : 'text-red-700'}`}>
              {step.ok ? '✓' : '✗'}
            </span>
            <span>
              <span className="font-medium text-zinc-900">{step.name}</span>
              <span className="sr-only">{step.ok ? ': passed.' : ': failed.'}</span>
              <span className="block text-zinc-700">{step.message}</span>
            </span>
          </li>
        ))}
      </ol>
    </div>
  );
}
