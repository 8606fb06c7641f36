import { useMutation, useQueryClient, type QueryKey, type UseQueryResult } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState, type ReactNode } from 'react';
import type { DriftFixResult, DriftItem, DriftReport } from '../../features/numbers/schemas.ts';
import { formatDateTime } from '../lib/format.ts';
import { formatCount, kindLabel, plural } from '../lib/inventory.ts';
import { ErrorAlert, Notice } from './Alert.tsx';
import { Badge } from './Badge.tsx';
import { Button } from './Button.tsx';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { Section } from './Section.tsx';
import { StatusBadge } from './StatusBadge.tsx';
import { Table, Td, Th } from './Table.tsx';

/** How a page names the system it reconciles with: at a sentence's start ("The PBX"), within one ("the PBX"), and where a number is ("on the PBX"). */
export type DriftSystem = { name: string; nameInText: string; where: string; assignee: (a: { id: string; upn: string | null; name: string | null }) => string };

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function driftLabel(kind: DriftItem['kind'], system: DriftSystem): { label: string; explain: string } {
  switch (kind) {
    case 'missing_in_inventory':
      return { label: 'Not in the inventory', explain: `${system.name} has this number; the inventory does not.` };
    case 'free_in_inventory':
      return { label: 'Free in the inventory', explain: `${system.name} assigns it, but the inventory has it as not assigned.` };
    case 'different_assignee':
      return { label: 'Other assignee', explain: `${system.name} assigns it to someone other than the inventory says.` };
    case 'unassigned_in_system':
      return { label: `Not assigned ${system.where}`, explain: `The inventory has it assigned; ${system.nameInText} does not.` };
    case 'missing_in_system':
      return { label: `Not ${system.where}`, explain: `The inventory holds it; ${system.nameInText} does not have it.` };
  }
}

function SystemSide({ item, system }: { item: DriftItem; system: DriftSystem }) {
  const s = item.system;
  if (!s) return <span className="text-zinc-500">Not {system.where}</span>;
  return (
    <span className="block">
      {s.assigned && s.assigneeId ? (
        <>
          Assigned to <span className="break-all">{system.assignee({ id: s.assigneeId, upn: s.assigneeUpn, name: s.assigneeName })}</span>
        </>
      ) : (
        'Not assigned'
      )}
      <span className="block text-xs text-zinc-500">{[kindLabel(s.kind), s.via].filter(Boolean).join(', ')}</span>
    </span>
  );
}

function InventorySide({ tenantId, item }: { tenantId: string; item: DriftItem }) {
  const inv = item.inventory;
  if (!inv) return <span className="text-zinc-500">Not in the inventory</span>;
  const assignee = inv.assigneeUpn ?? inv.assigneeName ?? inv.assigneeId;
  return (
    <span className="block space-y-0.5">
      <StatusBadge status={inv.status} />
      {assignee ? <span className="block text-xs break-all text-zinc-600">{assignee}</span> : null}
      {item.numberId ? (
        <Link to="/tenants/$tenantId/numbers" params={{ tenantId }} search={{ number: item.numberId }} className="block text-xs text-blue-700 underline">
          Open in the inventory
        </Link>
      ) : null}
    </span>
  );
}

/**
 * The drift between the inventory and one system (C7), for Teams and 3CX alike: each row says
 * what its fix does, or why it is not fixed automatically; fix the chosen rows or all of them.
 */
export function DriftTable({
  tenantId,
  items,
  system,
  canWrite,
  busy,
  error,
  rowTestId,
  onFix,
}: {
  tenantId: string;
  items: DriftItem[];
  system: DriftSystem;
  canWrite: boolean;
  busy: boolean;
  error: unknown;
  rowTestId: string;
  /** Resolves once the fix is applied (the page refreshes the comparison); rejects on failure. */
  onFix: (numbers: string[] | 'all') => Promise<unknown>;
}) {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirmAll, setConfirmAll] = useState(false);
  const fixable = items.filter((i) => i.fix !== null);
  const chosen = fixable.filter((i) => selected.has(i.e164));
  const allChosen = fixable.length > 0 && chosen.length === fixable.length;
  const toggle = (e164: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(e164);
    else next.delete(e164);
    setSelected(next);
  };
  const fix = (numbers: string[] | 'all') =>
    onFix(numbers).then(
      () => {
        setSelected(new Set());
        setConfirmAll(false);
      },
      // The page shows the error; the selection stays so the operator can try again.
      () => undefined,
    );

  return (
    <>
      {canWrite ? (
        <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Fix drift">
          <Button variant="primary" disabled={chosen.length === 0} busy={busy && !confirmAll} onClick={() => void fix(chosen.map((i) => i.e164))}>
            Fix selected{chosen.length ? ` (${formatCount(chosen.length)})` : ''}
          </Button>
          <Button disabled={fixable.length === 0} onClick={() => setConfirmAll(true)}>
            Fix all ({formatCount(fixable.length)})
          </Button>
        </div>
      ) : null}
      <Table caption={`Drift between the inventory and ${system.nameInText}`}>
        <thead>
          <tr>
            {canWrite ? (
              <Th className="w-8">
                <input
                  type="checkbox"
                  aria-label="Select all"
                  checked={allChosen}
                  disabled={fixable.length === 0}
                  ref={(el) => {
                    if (el) el.indeterminate = chosen.length > 0 && !allChosen;
                  }}
                  onChange={(e) => setSelected(e.target.checked ? new Set(fixable.map((i) => i.e164)) : new Set())}
                  className="size-4 accent-blue-700"
                />
              </Th>
            ) : null}
            <Th>Number</Th>
            <Th>Drift</Th>
            <Th>{sentence(system.where)}</Th>
            <Th>In the inventory</Th>
            <Th>Fix</Th>
          </tr>
        </thead>
        <tbody className="bg-white">
          {items.map((item) => {
            const drift = driftLabel(item.kind, system);
            return (
              <tr key={item.e164} data-testid={rowTestId}>
                {canWrite ? (
                  <Td>
                    {item.fix !== null ? <input type="checkbox" aria-label={`Select ${item.e164}`} checked={selected.has(item.e164)} onChange={(e) => toggle(item.e164, e.target.checked)} className="size-4 accent-blue-700" /> : null}
                  </Td>
                ) : null}
                <Td className="font-mono whitespace-nowrap">{item.e164}</Td>
                <Td>
                  <Badge tone="amber">{drift.label}</Badge>
                  <span className="mt-1 block text-xs text-zinc-600">{drift.explain}</span>
                </Td>
                <Td>
                  <SystemSide item={item} system={system} />
                </Td>
                <Td>
                  <InventorySide tenantId={tenantId} item={item} />
                </Td>
                <Td>
                  {item.fix ?? (
                    <span className="block text-zinc-600">
                      <span className="font-medium">Not fixed automatically.</span> {item.reason}
                    </span>
                  )}
                </Td>
              </tr>
            );
          })}
        </tbody>
      </Table>
      <ConfirmDialog open={confirmAll} title={`Fix all ${plural(fixable.length, 'number')}?`} confirmLabel="Fix all" busy={busy} error={error} onConfirm={() => void fix('all')} onCancel={() => setConfirmAll(false)}>
        <p>
          The inventory is made to follow {system.nameInText} for every number with a fix: numbers are added, marked assigned, given another assignee, released into cooling or retired. Numbers
          without a fix are left as they are. Each fix is recorded in the audit log.
        </p>
      </ConfirmDialog>
    </>
  );
}

/** What a fix did: how many numbers were fixed, and each skipped one with its reason. */
export function DriftFixNotice({ result }: { result: DriftFixResult | undefined }) {
  if (!result) return null;
  return (
    <Notice tone={result.skipped ? 'warning' : 'success'}>
      Fixed {plural(result.fixed, 'number')}
      {result.skipped ? `; ${plural(result.skipped, 'number')} skipped:` : '.'}
      {result.skips.length ? (
        <ul className="mt-1 list-disc pl-5" data-testid="drift-skips">
          {result.skips.map((s) => (
            <li key={s.e164}>
              <span className="font-mono">{s.e164}</span>: {s.reason}
            </li>
          ))}
        </ul>
      ) : null}
    </Notice>
  );
}

/**
 * A whole reconcile view (C7) for one system: the comparison, its summary, the drift table and
 * what the last fix did. A fix refreshes `refresh` (the comparison and the inventory).
 */
export function ReconcileSection({
  title,
  description,
  tenantId,
  canWrite,
  system,
  report,
  fixDrift,
  refresh,
  summary,
  reportError,
  rowTestId,
}: {
  title: string;
  description: string;
  tenantId: string;
  canWrite: boolean;
  system: DriftSystem;
  report: UseQueryResult<DriftReport>;
  fixDrift: (numbers: string[] | 'all') => Promise<DriftFixResult>;
  refresh: QueryKey[];
  /** The counts in words, such as "Teams has 40 numbers; the inventory has 12 …". */
  summary: (report: DriftReport) => string;
  /** Shows a failed comparison; the plain error alert when not given. */
  reportError?: ReactNode;
  rowTestId: string;
}) {
  const queryClient = useQueryClient();
  const fix = useMutation({
    mutationFn: fixDrift,
    onSuccess: async () => {
      for (const queryKey of refresh) await queryClient.invalidateQueries({ queryKey });
    },
  });
  const items = report.data?.items ?? [];
  return (
    <Section
      title={title}
      description={description}
      actions={
        <Button onClick={() => void report.refetch()} busy={report.isFetching}>
          Check again
        </Button>
      }
    >
      <div className="space-y-4">
        <DriftFixNotice result={fix.data} />
        {reportError ?? <ErrorAlert error={report.error} />}
        <ErrorAlert error={fix.error} />
        {report.isPending ? <p className="text-sm text-zinc-600">Asking {system.nameInText} for its numbers…</p> : null}
        {report.data ? (
          <p className="text-sm text-zinc-600" data-testid="reconcile-summary">
            {summary(report.data)} Checked {formatDateTime(report.data.checkedAt)}.
          </p>
        ) : null}
        {report.data && items.length === 0 ? <Notice tone="info">No drift: the inventory matches {system.nameInText}.</Notice> : null}
        {items.length > 0 ? <DriftTable tenantId={tenantId} items={items} system={system} canWrite={canWrite} busy={fix.isPending} error={fix.error} rowTestId={rowTestId} onFix={fix.mutateAsync} /> : null}
      </div>
    </Section>
  );
}
