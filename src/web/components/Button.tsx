import type { ButtonHTMLAttributes } from 'react';

type Variant = 'primary' | 'secondary' | 'danger' | 'ghost';

const variants: Record<Variant, string> = {
  primary: 'bg-blue-700 text-white hover:bg-blue-800 border border-blue-700 disabled:bg-zinc-200 disabled:border-zinc-200 disabled:text-zinc-500 disabled:shadow-none',
  secondary: 'bg-white text-zinc-800 border border-zinc-300 hover:bg-zinc-50 disabled:text-zinc-400',
  danger: 'bg-red-700 text-white border border-red-700 hover:bg-red-800 disabled:bg-zinc-200 disabled:border-zinc-200 disabled:text-zinc-500 disabled:shadow-none',
  ghost: 'bg-transparent text-zinc-700 border border-transparent hover:bg-zinc-100 disabled:text-zinc-400',
};

export type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; size?: 'sm' | 'md'; busy?: boolean };

/**
 * A busy button ignores clicks but stays enabled, so keyboard focus is not thrown back to the
 * page body while a request runs.
 */
export function Button({ variant = 'secondary', size = 'md', busy = false, className = '', type = 'button', disabled, onClick, children, ...rest }: ButtonProps) {
  const sizing = size === 'sm' ? 'px-2.5 py-1 text-xs' : 'px-3.5 py-2 text-sm';
  return (
    <button
      type={type}
      disabled={disabled}
      aria-busy={busy || undefined}
      aria-disabled={busy || undefined}
      onClick={busy ? (event) => event.preventDefault() : onClick}
      className={`inline-flex items-center justify-center gap-1.5 rounded-md font-medium shadow-xs transition-colors disabled:cursor-not-allowed aria-busy:cursor-wait aria-busy:opacity-80 ${sizing} ${variants[variant]} ${className}`}
      {...rest}
    >
      {busy ? <span aria-hidden="true" className="size-3 animate-spin rounded-full border-2 border-current border-t-transparent" /> : null}
      {children}
    </button>
  );
}
