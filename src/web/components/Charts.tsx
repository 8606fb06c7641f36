import { useId, type ReactNode } from 'react';
import { numberStatuses } from '../api/inventory.ts';
import type { StatusCounts } from '../api/types.ts';
import { formatCount, statusColors, statusLabel } from '../lib/inventory.ts';
import { formatDay } from '../lib/format.ts';

const total = (counts: StatusCounts) => Object.values(counts).reduce((a, b) => a + b, 0);

function TableAlternative({ summary, children }: { summary: string; children: ReactNode }) {
  return (
    <details className="mt-2 text-sm">
      <summary className="cursor-pointer rounded text-xs font-medium text-blue-700">{summary}</summary>
      <div className="mt-2 overflow-x-auto">{children}</div>
    </details>
  );
}

/** Horizontal bars, one per status, each labelled with its name and count. */
export function StatusBarChart({ counts, title }: { counts: StatusCounts; title: string }) {
  const titleId = useId();
  const max = Math.max(1, ...numberStatuses.map((s) => counts[s] ?? 0));
  const rowH = 26;
  const labelW = 90;
  const valueW = 70;
  const width = 520;
  const barW = width - labelW - valueW;
  const height = numberStatuses.length * rowH;
  const sum = total(counts);
  return (
    <figure>
      <figcaption id={titleId} className="mb-2 text-sm font-medium text-zinc-800">
        {title} <span className="font-normal text-zinc-500">({formatCount(sum)} in all)</span>
      </figcaption>
      <svg
        role="img"
        aria-labelledby={titleId}
        aria-describedby={`${titleId}-desc`}
        viewBox={`0 0 ${width} ${height}`}
        className="h-auto w-full max-w-xl"
        data-testid="status-chart"
      >
        <desc id={`${titleId}-desc`}>{numberStatuses.map((s) => `${statusLabel(s)}: ${formatCount(counts[s] ?? 0)}`).join(', ')}</desc>
        {numberStatuses.map((status, i) => {
          const value = counts[status] ?? 0;
          const w = value === 0 ? 0 : Math.max(2, (value / max) * barW);
          const y = i * rowH;
          return (
            <g key={status}>
              <text x={0} y={y + rowH / 2} dominantBaseline="middle" className="fill-zinc-700 text-[12px]">
                {statusLabel(status)}
              </text>
              <rect x={labelW} y={y + 4} width={barW} height={rowH - 8} rx={3} className="fill-zinc-100" />
              <rect x={labelW} y={y + 4} width={w} height={rowH - 8} rx={3} fill={statusColors[status]} />
              <text x={labelW + barW + 8} y={y + rowH / 2} dominantBaseline="middle" className="fill-zinc-900 text-[12px] font-medium tabular-nums">
                {formatCount(value)}
              </text>
            </g>
          );
        })}
      </svg>
      <TableAlternative summary="Show as a table">
        <table className="text-sm">
          <caption className="sr-only">{title}</caption>
          <thead>
            <tr>
              <th scope="col" className="pr-6 text-left font-medium text-zinc-600">
                Status
              </th>
              <th scope="col" className="text-right font-medium text-zinc-600">
                Numbers
              </th>
            </tr>
          </thead>
          <tbody>
            {numberStatuses.map((s) => (
              <tr key={s}>
                <th scope="row" className="pr-6 text-left font-normal">
                  {statusLabel(s)}
                </th>
                <td className="text-right tabular-nums">{formatCount(counts[s] ?? 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableAlternative>
    </figure>
  );
}

/** One stacked bar: how a range's numbers split by status. */
export function UtilisationBar({ counts, size, utilisation, label }: { counts: StatusCounts; size: number; utilisation: number; label: string }) {
  const sum = Math.max(size, total(counts), 1);
  return (
    <div className="min-w-40">
      <div
        role="meter"
        aria-label={`${label}: ${utilisation}% in use`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={utilisation}
        aria-valuetext={`${utilisation}% in use (reserved or assigned)`}
        className="flex h-2.5 w-full overflow-hidden rounded-full bg-zinc-100 ring-1 ring-zinc-200 ring-inset"
      >
        {numberStatuses.map((s) =>
          counts[s] ? <span key={s} title={`${statusLabel(s)}: ${formatCount(counts[s] ?? 0)}`} style={{ width: `${((counts[s] ?? 0) / sum) * 100}%`, background: statusColors[s] }} /> : null,
        )}
      </div>
      <p className="mt-1 text-xs text-zinc-600">
        <span className="font-medium text-zinc-900">{utilisation}%</span> in use
      </p>
    </div>
  );
}

/** Daily counts by status as lines, when there is history to draw. */
export function HistoryChart({ history, title }: { history: { day: string; counts: StatusCounts }[]; title: string }) {
  const titleId = useId();
  const statuses = numberStatuses.filter((s) => history.some((h) => (h.counts[s] ?? 0) > 0));
  const width = 640;
  const height = 220;
  const pad = { left: 48, right: 12, top: 10, bottom: 28 };
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const max = Math.max(1, ...history.flatMap((h) => statuses.map((s) => h.counts[s] ?? 0)));
  const x = (i: number) => pad.left + (history.length === 1 ? innerW / 2 : (i / (history.length - 1)) * innerW);
  const y = (v: number) => pad.top + innerH - (v / max) * innerH;
  const ticks = [0, Math.round(max / 2), max];
  const first = history[0];
  const last = history[history.length - 1];
  if (!first || !last) return null;
  return (
    <figure>
      <figcaption id={titleId} className="mb-2 text-sm font-medium text-zinc-800">
        {title}
      </figcaption>
      <svg role="img" aria-labelledby={titleId} aria-describedby={`${titleId}-desc`} viewBox={`0 0 ${width} ${height}`} className="h-auto w-full max-w-2xl" data-testid="history-chart">
        <desc id={`${titleId}-desc`}>
          {`From ${formatDay(first.day)} to ${formatDay(last.day)}. Latest: `}
          {statuses.map((s) => `${statusLabel(s)} ${formatCount(last.counts[s] ?? 0)}`).join(', ')}
        </desc>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={pad.left} x2={width - pad.right} y1={y(t)} y2={y(t)} className="stroke-zinc-200" />
            <text x={pad.left - 6} y={y(t)} textAnchor="end" dominantBaseline="middle" className="fill-zinc-500 text-[11px] tabular-nums">
              {formatCount(t)}
            </text>
          </g>
        ))}
        <text x={pad.left} y={height - 8} className="fill-zinc-500 text-[11px]">
          {formatDay(first.day)}
        </text>
        <text x={width - pad.right} y={height - 8} textAnchor="end" className="fill-zinc-500 text-[11px]">
          {formatDay(last.day)}
        </text>
        {statuses.map((s) => (
          <g key={s}>
            <polyline fill="none" stroke={statusColors[s]} strokeWidth={2} points={history.map((h, i) => `${x(i)},${y(h.counts[s] ?? 0)}`).join(' ')} />
            {history.map((h, i) => (
              <circle key={h.day} cx={x(i)} cy={y(h.counts[s] ?? 0)} r={history.length > 60 ? 1.5 : 3} fill={statusColors[s]}>
                <title>{`${formatDay(h.day)} · ${statusLabel(s)}: ${formatCount(h.counts[s] ?? 0)}`}</title>
              </circle>
            ))}
          </g>
        ))}
      </svg>
      <ul className="mt-1 flex flex-wrap gap-x-4 gap-y-1 text-xs text-zinc-700" aria-label="Legend">
        {statuses.map((s) => (
          <li key={s} className="flex items-center gap-1.5">
            <span aria-hidden="true" className="inline-block h-0.5 w-4" style={{ background: statusColors[s] }} />
            {statusLabel(s)}
          </li>
        ))}
      </ul>
      <TableAlternative summary="Show as a table">
        <table className="text-sm">
          <caption className="sr-only">{title}</caption>
          <thead>
            <tr>
              <th scope="col" className="pr-4 text-left font-medium text-zinc-600">
                Day
              </th>
              {statuses.map((s) => (
                <th key={s} scope="col" className="px-2 text-right font-medium text-zinc-600">
                  {statusLabel(s)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {history.map((h) => (
              <tr key={h.day}>
                <th scope="row" className="pr-4 text-left font-normal whitespace-nowrap">
                  {formatDay(h.day)}
                </th>
                {statuses.map((s) => (
                  <td key={s} className="px-2 text-right tabular-nums">
                    {formatCount(h.counts[s] ?? 0)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </TableAlternative>
    </figure>
  );
}
