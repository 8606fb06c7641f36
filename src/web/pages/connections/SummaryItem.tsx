import type { ReactNode } from 'react';

/** One labelled value of a connection's summary (a definition-list entry). */
export function SummaryItem({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium text-zinc-500">{label}</dt>
      <dd className="mt-0.5 text-sm break-words text-zinc-900">{children}</dd>
    </div>
  );
}

export const notSet = <span className="text-zinc-400">Not set</span>;
