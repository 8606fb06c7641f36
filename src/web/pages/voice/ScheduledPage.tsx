import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { formatInZone, scheduledApi, scheduledQuery, wallTimeToIso, type ScheduledChangeDto } from '../../api/lifecycle.ts';
import { tenantsQuery } from '../../api/inventory.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { Badge, type Tone } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { TextField } from '../../components/Field.tsx';
import { PageHeader, Section } from '../../components/Section.tsx';
import { useRole } from '../../lib/role.ts';
import { useTenant } from '../tenants/tenant-context.ts';

const kindLabels: Record<ScheduledChangeDto['kind'], string> = { voice_change: 'Voice change', onboard: 'Onboarding', offboard: 'Offboarding', bulk_run: 'Bulk run' };
const statusTones: Record<ScheduledChangeDto['status'], Tone> = { scheduled: 'blue', running: 'blue', done: 'green', failed: 'red', cancelled: 'neutral' };
const statusLabels: Record<ScheduledChangeDto['status'], string> = { scheduled: 'Scheduled', running: 'Starting', done: 'Started', failed: 'Failed', cancelled: 'Cancelled' };

/** One change; its time is shown, and moved, in its tenant's time zone. */
function ScheduledRow({ change, tenantName, timeZone, canWrite }: { change: ScheduledChangeDto; tenantName: string | null; timeZone: string; canWrite: boolean }) {
  const queryClient = useQueryClient();
  const [moving, setMoving] = useState(false);
  const [when, setWhen] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['scheduled'] });
  const cancel = useMutation({ mutationFn: () => scheduledApi.cancel(change.tenantId, change.id), onSuccess: refresh });
  const move = useMutation({
    mutationFn: (iso: string) => scheduledApi.move(change.tenantId, change.id, iso, timeZone),
    onSuccess: () => {
      setMoving(false);
      refresh();
    },
  });
  const open = change.status === 'scheduled';
  return (
    <li className="rounded-md border border-zinc-200 p-3" aria-label={`${kindLabels[change.kind]} ${change.subject}`}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-sm text-zinc-900">
          <span className="font-semibold">{kindLabels[change.kind]}</span> {change.subject}
          {tenantName ? <span className="text-zinc-600"> · {tenantName}</span> : null} · <span data-testid="scheduled-time">{formatInZone(change.runAt, timeZone)}</span>{' '}
          <Badge tone={statusTones[change.status]}>{statusLabels[change.status]}</Badge>
        </p>
        {canWrite && open ? (
          <div className="flex gap-2">
            <Button size="sm" onClick={() => setMoving((m) => !m)}>
              Change time
            </Button>
            <Button size="sm" variant="danger" busy={cancel.isPending} onClick={() => cancel.mutate()}>
              Cancel
            </Button>
          </div>
        ) : null}
      </div>
      {change.error ? <p className="mt-1 text-sm text-red-700">{change.error}</p> : null}
      {moving && open ? (
        <form
          className="mt-2 flex flex-wrap items-start gap-2"
          aria-label="Change the time"
          onSubmit={(e) => {
            e.preventDefault();
            const iso = wallTimeToIso(when, timeZone);
            setProblem(iso ? undefined : 'Choose a date and time.');
            if (iso) move.mutate(iso);
          }}
        >
          <TextField label={`New time (${timeZone})`} type="datetime-local" name="newTime" value={when} onChange={(e) => setWhen(e.target.value)} error={problem} />
          <Button type="submit" variant="primary" busy={move.isPending} className="mt-6">
            Save time
          </Button>
        </form>
      ) : null}
      <ErrorAlert error={cancel.error ?? move.error} />
    </li>
  );
}

function ScheduledList({ tenantId, canWrite }: { tenantId: string | null; canWrite: boolean }) {
  const changes = useQuery(scheduledQuery(tenantId));
  const tenants = useQuery(tenantsQuery(false));
  const byId = new Map((tenants.data ?? []).map((t) => [t.id, t]));
  return (
    <>
      <ErrorAlert error={changes.error} />
      {changes.data?.length ? (
        <ul className="space-y-2">
          {changes.data.map((c) => (
            <ScheduledRow key={c.id} change={c} tenantName={tenantId ? null : (byId.get(c.tenantId)?.name ?? null)} timeZone={byId.get(c.tenantId)?.timeZone ?? c.timeZone} canWrite={canWrite} />
          ))}
        </ul>
      ) : changes.data ? (
        <p className="text-sm text-zinc-600">Nothing is scheduled.</p>
      ) : null}
    </>
  );
}

/** One tenant's scheduled changes (a tenant section). */
export function TenantScheduledPage() {
  const { tenant, canWrite } = useTenant();
  return (
    <Section title="Scheduled changes" description="Changes set for later, soonest first. Each can be moved or cancelled until it starts; at its time it is checked again like a change made then.">
      <ScheduledList tenantId={tenant.id} canWrite={canWrite} />
    </Section>
  );
}

/** Scheduled changes across every tenant the operator may see. */
export function ScheduledPage() {
  const { canOperate } = useRole();
  return (
    <div>
      <PageHeader title="Scheduled" description="Changes set for later in all your tenants, soonest first. Each time is shown, and changed, in its tenant's time zone." />
      <ScheduledList tenantId={null} canWrite={canOperate} />
    </div>
  );
}

