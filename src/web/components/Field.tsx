import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';

export const inputClass =
  'block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm text-zinc-900 shadow-xs placeholder:text-zinc-400 aria-[invalid=true]:border-red-600 disabled:bg-zinc-100 disabled:text-zinc-500 read-only:bg-zinc-100 read-only:text-zinc-600';

type Common = { label: ReactNode; hint?: ReactNode; error?: string | undefined };

function useDescribedBy(hint: ReactNode, error: string | undefined) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return { id, hintId, errorId, describedBy };
}

function Extras({ hint, hintId, error, errorId }: { hint: ReactNode; hintId: string | undefined; error: string | undefined; errorId: string | undefined }) {
  return (
    <>
      {hint ? (
        <p id={hintId} className="text-xs text-zinc-600">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </>
  );
}

export function TextField({ label, hint, error, className = '', ...input }: Common & InputHTMLAttributes<HTMLInputElement>) {
  const ids = useDescribedBy(hint, error);
  return (
    <div className={`space-y-1 ${className}`}>
      <label htmlFor={ids.id} className="block text-sm font-medium text-zinc-800">
        {label}
      </label>
      <input id={ids.id} aria-invalid={error ? true : undefined} aria-describedby={ids.describedBy} className={inputClass} {...input} />
      <Extras hint={hint} hintId={ids.hintId} error={error} errorId={ids.errorId} />
    </div>
  );
}

export function TextAreaField({ label, hint, error, className = '', ...input }: Common & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const ids = useDescribedBy(hint, error);
  return (
    <div className={`space-y-1 ${className}`}>
      <label htmlFor={ids.id} className="block text-sm font-medium text-zinc-800">
        {label}
      </label>
      <textarea id={ids.id} aria-invalid={error ? true : undefined} aria-describedby={ids.describedBy} className={inputClass} {...input} />
      <Extras hint={hint} hintId={ids.hintId} error={error} errorId={ids.errorId} />
    </div>
  );
}

export function SelectField({ label, hint, error, className = '', children, ...select }: Common & SelectHTMLAttributes<HTMLSelectElement>) {
  const ids = useDescribedBy(hint, error);
  return (
    <div className={`space-y-1 ${className}`}>
      <label htmlFor={ids.id} className="block text-sm font-medium text-zinc-800">
        {label}
      </label>
      <select id={ids.id} aria-invalid={error ? true : undefined} aria-describedby={ids.describedBy} className={inputClass} {...select}>
        {children}
      </select>
      <Extras hint={hint} hintId={ids.hintId} error={error} errorId={ids.errorId} />
    </div>
  );
}

export function CheckboxField({ label, hint, error, className = '', ...input }: Common & Omit<InputHTMLAttributes<HTMLInputElement>, 'type'>) {
  const ids = useDescribedBy(hint, error);
  return (
    <div className={`flex items-start gap-2.5 ${className}`}>
      <input
        id={ids.id}
        type="checkbox"
        aria-invalid={error ? true : undefined}
        aria-describedby={ids.describedBy}
        className="mt-0.5 size-4 rounded border-zinc-400 accent-blue-700"
        {...input}
      />
      <div className="space-y-0.5">
        <label htmlFor={ids.id} className="block text-sm font-medium text-zinc-800">
          {label}
        </label>
        <Extras hint={hint} hintId={ids.hintId} error={error} errorId={ids.errorId} />
      </div>
    </div>
  );
}

export type Choice = { value: string; label: string };

/** A select over a list of choices, with an optional first "none" choice (value ''). */
export function ChoiceField({ choices, empty, ...select }: Common & SelectHTMLAttributes<HTMLSelectElement> & { choices: readonly Choice[]; empty?: string }) {
  return (
    <SelectField {...select}>
      {empty !== undefined ? <option value="">{empty}</option> : null}
      {choices.map((c) => (
        <option key={c.value} value={c.value}>
          {c.label}
        </option>
      ))}
    </SelectField>
  );
}
