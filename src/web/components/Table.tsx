import type { ReactNode, TdHTMLAttributes, ThHTMLAttributes } from 'react';

export function Table({ caption, children }: { caption: string; children: ReactNode }) {
  return (
    <div className="relative overflow-x-auto rounded-md border border-zinc-200">
      <table className="min-w-full text-sm">
        <caption className="sr-only">{caption}</caption>
        {children}
      </table>
    </div>
  );
}

export function Th({ children, className = '', ...rest }: ThHTMLAttributes<HTMLTableCellElement>) {
  return (
    <th scope="col" className={`bg-zinc-50 px-3 py-2 text-left text-xs font-semibold tracking-wide whitespace-nowrap text-zinc-600 uppercase ${className}`} {...rest}>
      {children}
    </th>
  );
}

export function Td({ children, className = '', ...rest }: TdHTMLAttributes<HTMLTableCellElement>) {
  return (
    <td className={`border-t border-zinc-100 px-3 py-2 align-top text-zinc-700 ${className}`} {...rest}>
      {children}
    </td>
  );
}
