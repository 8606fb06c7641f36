import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { inventoryKeys } from '../../api/inventory.ts';
import { reconcileQuery, teamsApi, teamsKeys, type DriftItemDto } from '../../api/teams.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { Section } from '../../components/Section.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { Table, Td, Th } from '../../components/Table.tsx';
import type { NumberStatus } from '../../api/types.ts';
import { formatDateTime } from '../../lib/format.ts';
import { formatCount, plural } from '../../lib/inventory.ts';
import { driftLabels, numberTypeLabel } from '../../lib/teams.ts';
import { useTenant } from '../tenants/tenant-context.ts';

function TeamsSide({ item }: { item: DriftItemDto }) {
  if (!item.teams) return <span className="text-zinc-500">Not in Teams</span>;
  return (
    <span className="block">
      {item.teams.assigned ? (
        <>
          Assigned to <span className="break-all">{item.teams.userUpn ?? item.teams.userId}</span>
        </>
      ) : (
        'Not assigned'
      )}
      {item.teams.numberType ? <span className="block text-xs text-zinc-500">{numberTypeLabel(item.teams.numberType)}</span> : null}
    </span>
  );
}

function InventorySide({ tenantId, item }: { tenantId: string; item: DriftItemDto }) {
  if (!item.inventory) return <span className="text-zinc-500">Not in the inventory</span>;
  return (
    <span className="block space-y-0.5">
      <StatusBadge status={item.inventory.status as NumberStatus} />
      {item.inventory.assigneeUpn || item.inventory.assigneeId ? <span className="block text-xs break-all text-zinc-600">{item.inventory.assigneeUpn ?? item.inventory.assigneeId}</span> : null}
      {item.numberId ? (
        <Link to="/tenants/$tenantId/numbers" params={{ tenantId }} search={{ number: item.numberId }} className="block text-xs text-blue-700 underline">
          Open in the inventory
        </Link>
      ) : null}
    </span>
  );
}

/**
 * Reconcile with Teams (C7): the numbers on which the inventory and Teams disagree, both ways,
 * with the fix that makes the inventory follow Teams, for the chosen ones or all at once.
 */
export function ReconcilePage() {
  const { tenant, canWrite } = useTenant();
  const queryClient = useQueryClient();
  const report = useQuery(reconcileQuery(tenant.id));
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirmAll, setConfirmAll] = useState(false);
  const items = report.data?.items ?? [];
  const fix = useMutation({
    mutationFn: (numbers: string[] | 'all') => teamsApi.fixDrift(tenant.id, numbers),
    onSuccess: async () => {
      setSelected(new Set());
      setConfirmAll(false);
      await queryClient.invalidateQueries({ queryKey: inventoryKeys.inventory(tenant.id) });
      await queryClient.invalidateQueries({ queryKey: teamsKeys.reconcile(tenant.id) });
    },
  });
  const chosen = items.filter((i) => selected.has(i.e164));
  const allChosen = items.length > 0 && chosen.length === items.length;
  const toggle = (e164: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(e164);
    else next.delete(e164);
    setSelected(next);
  };

  return (
    <Section
      title="Reconcile with Teams"
      description="Numbers on which the inventory and Teams disagree. Teams is taken as the truth: each fix makes the inventory follow it."
      actions={
        <Button onClick={() => void report.refetch()} busy={report.isFetching}>
          Check again
        </Button>
      }
    >
      <div className="space-y-4">
        {fix.data ? (
          <Notice>
            Fixed {plural(fix.data.fixed, 'number')}
            {fix.data.skipped ? `; ${plural(fix.data.skipped, 'number')} skipped (no longer drifting)` : ''}.
          </Notice>
        ) : null}
        <ErrorAlert error={report.error} />
        <ErrorAlert error={fix.error} />
        {report.isPending ? <p className="text-sm text-zinc-600">Asking Teams for its numbers…</p> : null}
        {report.data ? (
          <p className="text-sm text-zinc-600" data-testid="reconcile-summary">
            Teams has {plural(report.data.teamsNumbers, 'number')}; the inventory has {plural(report.data.inventoryNumbers, 'Direct Routing, Calling Plan or Operator Connect number')}. Checked {formatDateTime(report.data.checkedAt)}.
          </p>
        ) : null}
        {report.data && items.length === 0 ? <Notice tone="info">No drift: the inventory matches Teams.</Notice> : null}
        {items.length > 0 ? (
          <>
            {canWrite ? (
              <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Fix drift">
                <Button variant="primary" disabled={chosen.length === 0} busy={fix.isPending && !confirmAll} onClick={() => fix.mutate(chosen.map((i) => i.e164))}>
                  Fix selected{chosen.length ? ` (${formatCount(chosen.length)})` : ''}
                </Button>
                <Button onClick={() => setConfirmAll(true)}>Fix all ({formatCount(items.length)})</Button>
              </div>
            ) : null}
            <Table caption="Drift between the inventory and Teams">
              <thead>
                <tr>
                  {canWrite ? (
                    <Th className="w-8">
                      <input
                        type="checkbox"
                        aria-label="Select all"
                        checked={allChosen}
                        ref={(el) => {
                          if (el) el.indeterminate = chosen.length > 0 && !allChosen;
                        }}
                        onChange={(e) => setSelected(e.target.checked ? new Set(items.map((i) => i.e164)) : new Set())}
                        className="size-4 accent-blue-700"
                      />
                    </Th>
                  ) : null}
                  <Th>Number</Th>
                  <Th>Drift</Th>
                  <Th>In Teams</Th>
                  <Th>In the inventory</Th>
                  <Th>Fix</Th>
                </tr>
              </thead>
              <tbody className="bg-white">
                {items.map((item) => {
                  const drift = driftLabels[item.kind];
                  return (
                    <tr key={item.e164} data-testid="drift-row">
                      {canWrite ? (
                        <Td>
                          <input type="checkbox" aria-label={`Select ${item.e164}`} checked={selected.has(item.e164)} onChange={(e) => toggle(item.e164, e.target.checked)} className="size-4 accent-blue-700" />
                        </Td>
                      ) : null}
                      <Td className="font-mono whitespace-nowrap">{item.e164}</Td>
                      <Td>
                        <Badge tone="amber">{drift.label}</Badge>
                        <span className="mt-1 block text-xs text-zinc-600">{drift.explain}</span>
                      </Td>
                      <Td>
                        <TeamsSide item={item} />
                      </Td>
                      <Td>
                        <InventorySide tenantId={tenant.id} item={item} />
                      </Td>
                      <Td>{item.fix}</Td>
                    </tr>
                  );
                })}
              </tbody>
            </Table>
          </>
        ) : null}
      </div>
      <ConfirmDialog
        open={confirmAll}
        title={`Fix all ${plural(items.length, 'number')}?`}
        confirmLabel="Fix all"
        busy={fix.isPending}
        error={fix.error}
        onConfirm={() => fix.mutate('all')}
        onCancel={() => setConfirmAll(false)}
      >
        <p>The inventory is made to follow Teams for every number listed: numbers are added, marked assigned, given another assignee or released into cooling. Each fix is recorded in the audit log.</p>
      </ConfirmDialog>
    </Section>
  );
}
