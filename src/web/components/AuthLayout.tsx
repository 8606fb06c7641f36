import type { ReactNode } from 'react';

/** Centered card for sign-in and the steps that must happen before the app opens. */
export function AuthLayout({ title, description, children, wide = false }: { title: string; description?: ReactNode; children: ReactNode; wide?: boolean }) {
  return (
    <div className="flex min-h-screen flex-col items-center justify-center px-4 py-10">
      <p className="mb-6 flex items-center gap-2 text-lg font-semibold tracking-tight text-zinc-900">
        <Logo />
        UCR Manager
      </p>
      <main className={`w-full rounded-lg border border-zinc-200 bg-white p-6 shadow-sm sm:p-8 ${wide ? 'max-w-xl' : 'max-w-sm'}`}>
        <h1 className="text-lg font-semibold text-zinc-900">{title}</h1>
        {description ? <div className="mt-1 mb-5 text-sm text-zinc-600">{description}</div> : <div className="mb-5" />}
        {children}
      </main>
    </div>
  );
}

export function Logo() {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" className="size-6 text-blue-700" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
      <path d="M22 16.92v3a2 2 0 0 1-2.18 2 19.79 19.79 0 0 1-8.63-3.07 19.5 19.5 0 0 1-6-6 19.79 19.79 0 0 1-3.07-8.67A2 2 0 0 1 4.11 2h3a2 2 0 0 1 2 1.72c.13.96.36 1.9.7 2.81a2 2 0 0 1-.45 2.11L8.09 9.91a16 16 0 0 0 6 6l1.27-1.27a2 2 0 0 1 2.11-.45c.91.34 1.85.57 2.81.7A2 2 0 0 1 22 16.92z" />
    </svg>
  );
}
