import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { isRunning, licencesQuery, lifecycleApi, lifecycleJobsQuery, lifecycleKeys, type LifecycleJobDto, type LifecyclePlanDto, type LifecycleStepDto, type OffboardRequest, type OnboardCsvResultDto, type OnboardRequest } from '../../api/lifecycle.ts';
import { profilesQuery } from '../../api/teams.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Badge, type Tone } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { CheckboxField, ChoiceField, TextField } from '../../components/Field.tsx';
import { FileDropZone } from '../../components/FileDropZone.tsx';
import { Section } from '../../components/Section.tsx';
import { TICKET } from '../../lib/inventory.ts';
import { useTenant } from '../tenants/tenant-context.ts';
import { ScheduleControl } from './ScheduleControl.tsx';

const stepTones: Record<LifecycleStepDto['state'], Tone> = { pending: 'neutral', running: 'blue', succeeded: 'green', skipped: 'neutral', failed: 'red', undone: 'violet', undo_failed: 'red' };
const stepLabels: Record<LifecycleStepDto['state'], string> = { pending: 'Waiting', running: 'Running', succeeded: 'Done', skipped: 'Not needed', failed: 'Failed', undone: 'Undone', undo_failed: 'Undo failed' };
const jobTones: Record<LifecycleJobDto['status'], Tone> = { queued: 'neutral', running: 'blue', succeeded: 'green', failed: 'red', undoing: 'blue', undone: 'violet', undo_failed: 'red' };
const jobLabels: Record<LifecycleJobDto['status'], string> = { queued: 'Queued', running: 'Running', succeeded: 'Done', failed: 'Failed', undoing: 'Undoing', undone: 'Undone', undo_failed: 'Undo failed' };
const planTones = { do: 'blue', skip: 'neutral', blocked: 'red' } as const;
const planLabels = { do: 'Will do', skip: 'Not needed', blocked: 'Blocked' } as const;

/** Checks the fields every form shares; returns the first problem. */
function checkCommon(user: string, ticket: string): { field: string; message: string } | null {
  if (!user.trim()) return { field: 'user', message: 'Give the user: their sign-in name (UPN) or id.' };
  if (ticket.trim() && !TICKET.test(ticket.trim())) return { field: 'ticket', message: 'A ticket number is digits only, e.g. 48213.' };
  return null;
}

/** The foot of the joiner and leaver forms: dry run, run now or later, and what came of it. */
function FlowActions({
  tenantId,
  kind,
  submitLabel,
  plan,
  start,
  body,
  check,
  disabled,
}: {
  tenantId: string;
  kind: 'onboard' | 'offboard';
  submitLabel: string;
  plan: { isPending: boolean; mutate: () => void; data?: Parameters<typeof PlanView>[0]['plan'] | undefined; error: unknown };
  start: { isPending: boolean; data?: { userUpn: string } | undefined; error: unknown };
  body: () => object;
  check: () => boolean;
  disabled: boolean;
}) {
  const { tenant } = useTenant();
  return (
    <>
      <div className="flex flex-wrap gap-2">
        <Button busy={plan.isPending} onClick={() => check() && plan.mutate()}>
          Dry run
        </Button>
        <Button type="submit" variant="primary" busy={start.isPending}>
          {submitLabel}
        </Button>
      </div>
      <ScheduleControl tenantId={tenantId} timeZone={tenant.timeZone} kind={kind} name={`${kind}When`} input={() => (check() ? body() : null)} disabled={disabled} />
      {plan.data ? <PlanView plan={plan.data} /> : null}
      <ErrorAlert error={plan.error ?? start.error} />
      {start.data ? <Notice>{kind === 'onboard' ? 'Onboarding' : 'Offboarding'} of {start.data.userUpn} started; follow it below.</Notice> : null}
    </>
  );
}

function PlanView({ plan }: { plan: LifecyclePlanDto }) {
  return (
    <div className="space-y-2" aria-label="Dry run">
      <p className="text-sm font-medium text-zinc-900">
        Dry run for {plan.userUpn}: {plan.ok ? 'nothing blocks it; nothing has changed yet.' : 'it cannot run as it is; nothing has changed.'}
      </p>
      <ol className="space-y-1 text-sm">
        {plan.lines.map((line) => (
          <li key={line.step} className="flex flex-wrap items-baseline gap-2">
            <Badge tone={planTones[line.action]}>{planLabels[line.action]}</Badge>
            <span className="font-medium text-zinc-800">{line.title}</span>
            <span className="text-zinc-600">{line.message}</span>
          </li>
        ))}
      </ol>
      {plan.warnings.map((w) => (
        <Notice key={w} tone="warning">
          {w}
        </Notice>
      ))}
    </div>
  );
}

function OnboardForm({ tenantId, disabled }: { tenantId: string; disabled: boolean }) {
  const queryClient = useQueryClient();
  const profiles = useQuery(profilesQuery(tenantId));
  const licences = useQuery(licencesQuery(tenantId));
  const [user, setUser] = useState('');
  const [profileId, setProfileId] = useState('');
  const [number, setNumber] = useState('');
  const [licence, setLicence] = useState('');
  const [usageLocation, setUsageLocation] = useState('');
  const [extension, setExtension] = useState('');
  const [ticket, setTicket] = useState('');
  const [problem, setProblem] = useState<{ field: string; message: string } | null>(null);
  const body = (): OnboardRequest => ({
    userId: user.trim(),
    profileId: profileId || null,
    number: number.trim() ? { e164: number.trim() } : null,
    ...(licence ? { licenceSkuIds: [licence] } : {}),
    usageLocation: usageLocation.trim().toUpperCase() || null,
    threecxExtension: extension.trim() || null,
    ticketId: ticket.trim() || null,
  });
  const plan = useMutation({ mutationFn: () => lifecycleApi.planOnboard(tenantId, body()) });
  const start = useMutation({
    mutationFn: () => lifecycleApi.onboard(tenantId, body()),
    onSuccess: () => {
      plan.reset();
      setUser('');
      setNumber('');
      setExtension('');
      void queryClient.invalidateQueries({ queryKey: lifecycleKeys.jobs(tenantId) });
    },
  });
  const check = (): boolean => {
    const next = checkCommon(user, ticket) ?? (!profileId && !number.trim() ? { field: 'profile', message: 'Choose a profile (where the next free number comes from) or type a number.' } : null) ?? (usageLocation.trim() && !/^[A-Za-z]{2}$/.test(usageLocation.trim()) ? { field: 'usage', message: 'A usage location is a two-letter country code, e.g. US.' } : null) ?? (extension.trim() && !/^\d{2,10}$/.test(extension.trim()) ? { field: 'extension', message: 'A 3CX extension number is 2 to 10 digits.' } : null);
    setProblem(next);
    return !next;
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (check()) start.mutate();
  };
  const error = (field: string) => (problem?.field === field ? problem.message : undefined);
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Onboard a user" className="space-y-3">
      <fieldset disabled={disabled} className="space-y-3">
        <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
          <TextField label="User (UPN)" name="onboardUser" autoComplete="off" value={user} onChange={(e) => setUser(e.target.value)} error={error('user')} />
          <ChoiceField label="Profile" name="onboardProfile" value={profileId} onChange={(e) => setProfileId(e.target.value)} error={error('profile')} empty="No profile" choices={(profiles.data ?? []).map((p) => ({ value: p.id, label: p.name }))} />
          <TextField label="Number (optional)" hint="Empty: the next free number of the profile." name="onboardNumber" autoComplete="off" value={number} onChange={(e) => setNumber(e.target.value)} />
          <ChoiceField
            label="Licence to assign if missing"
            name="onboardLicence"
            value={licence}
            onChange={(e) => setLicence(e.target.value)}
            empty="None"
            choices={(licences.data ?? []).filter((l) => l.teamsPhone || l.callingPlan).map((l) => ({ value: l.skuId, label: `${l.skuPartNumber} (${l.free} of ${l.total} free)` }))}
          />
          <TextField label="Usage location if missing" hint="Two letters, e.g. US." name="onboardUsage" autoComplete="off" value={usageLocation} onChange={(e) => setUsageLocation(e.target.value)} error={error('usage')} />
          <TextField label="3CX extension (optional)" hint="Where the tenant has 3CX: created with the same number as its DID." name="onboardExtension" inputMode="numeric" autoComplete="off" value={extension} onChange={(e) => setExtension(e.target.value)} error={error('extension')} />
          <TextField label="Ticket number (optional)" name="onboardTicket" inputMode="numeric" autoComplete="off" value={ticket} onChange={(e) => setTicket(e.target.value)} error={error('ticket')} />
        </div>
        <FlowActions tenantId={tenantId} kind="onboard" submitLabel="Onboard" plan={plan} start={start} body={body} check={check} disabled={disabled} />
      </fieldset>
    </form>
  );
}

function OffboardForm({ tenantId, disabled }: { tenantId: string; disabled: boolean }) {
  const queryClient = useQueryClient();
  const licences = useQuery(licencesQuery(tenantId));
  const [user, setUser] = useState('');
  const [keep, setKeep] = useState(false);
  const [reason, setReason] = useState('');
  const [days, setDays] = useState('30');
  const [licence, setLicence] = useState('');
  const [ticket, setTicket] = useState('');
  const [problem, setProblem] = useState<{ field: string; message: string } | null>(null);
  const body = (): OffboardRequest => ({
    userId: user.trim(),
    reserveFor: keep ? { reason: reason.trim(), days: Number(days) } : null,
    ...(licence ? { removeLicenceSkuIds: [licence] } : {}),
    ticketId: ticket.trim() || null,
  });
  const plan = useMutation({ mutationFn: () => lifecycleApi.planOffboard(tenantId, body()) });
  const start = useMutation({
    mutationFn: () => lifecycleApi.offboard(tenantId, body()),
    onSuccess: () => {
      plan.reset();
      setUser('');
      void queryClient.invalidateQueries({ queryKey: lifecycleKeys.jobs(tenantId) });
    },
  });
  const check = (): boolean => {
    const next =
      checkCommon(user, ticket) ??
      (keep && !reason.trim() ? { field: 'reason', message: 'Say who the number is kept for.' } : null) ??
      (keep && !(Number.isInteger(Number(days)) && Number(days) >= 1 && Number(days) <= 365) ? { field: 'days', message: 'Between 1 and 365 days.' } : null);
    setProblem(next);
    return !next;
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (check()) start.mutate();
  };
  const error = (field: string) => (problem?.field === field ? problem.message : undefined);
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Offboard a user" className="space-y-3">
      <fieldset disabled={disabled} className="space-y-3">
        <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
          <TextField label="User (UPN)" name="offboardUser" autoComplete="off" value={user} onChange={(e) => setUser(e.target.value)} error={error('user')} />
          <ChoiceField label="Licence to remove last (optional)" name="offboardLicence" value={licence} onChange={(e) => setLicence(e.target.value)} empty="Keep licences" choices={(licences.data ?? []).filter((l) => l.teamsPhone || l.callingPlan).map((l) => ({ value: l.skuId, label: l.skuPartNumber }))} />
          <TextField label="Ticket number (optional)" name="offboardTicket" inputMode="numeric" autoComplete="off" value={ticket} onChange={(e) => setTicket(e.target.value)} error={error('ticket')} />
        </div>
        <CheckboxField label="Keep the number for a successor instead of cooling it" name="offboardKeep" checked={keep} onChange={(e) => setKeep(e.target.checked)} />
        {keep ? (
          <div className="grid gap-3 sm:grid-cols-2">
            <TextField label="Kept for" name="offboardReason" value={reason} onChange={(e) => setReason(e.target.value)} error={error('reason')} />
            <TextField label="Days" name="offboardDays" inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} error={error('days')} />
          </div>
        ) : null}
        <FlowActions tenantId={tenantId} kind="offboard" submitLabel="Offboard" plan={plan} start={start} body={body} check={check} disabled={disabled} />
      </fieldset>
    </form>
  );
}

/** Many joiners at once: every row of the file is checked first; then a job starts for each row that passed. */
function OnboardCsv({ tenantId, disabled }: { tenantId: string; disabled: boolean }) {
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<{ ran: boolean; data: OnboardCsvResultDto } | null>(null);
  const send = useMutation({
    mutationFn: (run: boolean) => lifecycleApi.onboardCsv(tenantId, file!, run).then((data) => ({ ran: run, data })),
    onSuccess: (value) => {
      setResult(value);
      if (value.ran) void queryClient.invalidateQueries({ queryKey: lifecycleKeys.jobs(tenantId) });
    },
  });
  const ok = result?.data.rows.filter((r) => r.ok).length ?? 0;
  return (
    <div className="space-y-3" aria-label="Onboard from a CSV" role="group">
      <p className="text-sm text-zinc-600">
        Columns: UserPrincipalName, Profile, PhoneNumber, Licence (e.g. MCOEV), UsageLocation, ThreeCxExtension (where the tenant has 3CX), TicketId.{' '}
        <a className="text-blue-700 underline" href={lifecycleApi.templateUrl(tenantId)}>
          Download the template
        </a>
        .
      </p>
      <FileDropZone hint="CSV, at most 500 users." file={file} disabled={disabled} onFile={(f) => { setFile(f); setResult(null); }} />
      <div className="flex flex-wrap gap-2">
        <Button disabled={disabled || !file} busy={send.isPending && send.variables === false} onClick={() => send.mutate(false)}>
          Check the file
        </Button>
        <Button variant="primary" disabled={disabled || !result || result.ran || ok === 0} busy={send.isPending && send.variables === true} onClick={() => send.mutate(true)}>
          Onboard the rows that passed
        </Button>
      </div>
      <ErrorAlert error={send.error} />
      {result ? (
        <div className="space-y-1 text-sm" aria-label="File check">
          <p className="font-medium text-zinc-900">{result.ran ? `${result.data.started} onboarding job${result.data.started === 1 ? '' : 's'} started; follow them below.` : `${ok} of ${result.data.rows.length} rows can run; nothing has changed yet.`}</p>
          <ol className="space-y-1">
            {result.data.rows.map((row) => (
              <li key={row.line} className="flex flex-wrap items-baseline gap-2">
                <Badge tone={row.ok ? 'green' : 'red'}>{row.ok ? 'OK' : 'Error'}</Badge>
                <span className="text-zinc-800">
                  Line {row.line}: {row.upn || '(no user)'}
                </span>
                {row.problem ? <span className="text-zinc-600">{row.problem.message}</span> : null}
              </li>
            ))}
          </ol>
        </div>
      ) : null}
    </div>
  );
}

function JobCard({ tenantId, job, canWrite }: { tenantId: string; job: LifecycleJobDto; canWrite: boolean }) {
  const queryClient = useQueryClient();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: lifecycleKeys.jobs(tenantId) });
  const retry = useMutation({ mutationFn: () => lifecycleApi.retry(tenantId, job.id), onSuccess: refresh });
  const undo = useMutation({ mutationFn: () => lifecycleApi.undo(tenantId, job.id), onSuccess: refresh });
  return (
    <li className="rounded-md border border-zinc-200 p-4" aria-label={`${job.kind === 'onboard' ? 'Onboarding' : 'Offboarding'} ${job.userUpn}`}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-sm font-semibold text-zinc-900">
          {job.kind === 'onboard' ? 'Onboarding' : 'Offboarding'} {job.userUpn} <Badge tone={jobTones[job.status]}>{jobLabels[job.status]}</Badge>
        </p>
        {canWrite && !isRunning(job) ? (
          <div className="flex gap-2">
            {job.canRetry ? (
              <Button size="sm" busy={retry.isPending} onClick={() => retry.mutate()}>
                Retry from the failed step
              </Button>
            ) : null}
            {job.canUndo ? (
              <Button size="sm" variant="danger" busy={undo.isPending} onClick={() => undo.mutate()}>
                Undo what was done
              </Button>
            ) : null}
          </div>
        ) : null}
      </div>
      {job.error ? <p className="mt-1 text-sm text-red-700">{job.error}</p> : null}
      <ol className="mt-2 space-y-1 text-sm">
        {job.steps.map((step) => (
          <li key={step.name} className="flex flex-wrap items-baseline gap-2">
            <Badge tone={stepTones[step.state]}>{stepLabels[step.state]}</Badge>
            <span className="font-medium text-zinc-800">{step.title}</span>
            {step.message ? <span className="text-zinc-600">{step.message}</span> : null}
          </li>
        ))}
      </ol>
      <ErrorAlert error={retry.error ?? undo.error} />
    </li>
  );
}

/** Joiners and leavers (#18): a user's whole voice life in one action, each step visible. */
export function LifecyclePage() {
  const { tenant, canWrite } = useTenant();
  const jobs = useQuery(lifecycleJobsQuery(tenant.id));
  return (
    <div className="space-y-6">
      <Section title="Onboard a user" description="Licence and usage location if missing, the next free number of the profile (or the one you type), the profile's policies, and a note and time on the ticket — as one job.">
        <OnboardForm tenantId={tenant.id} disabled={!canWrite} />
      </Section>
      <Section title="Onboard from a CSV" description="Many joiners at once, one row each.">
        <OnboardCsv tenantId={tenant.id} disabled={!canWrite} />
      </Section>
      <Section title="Offboard a user" description="The number is removed first, while the user still has Teams Phone; then the policies go back to the tenant defaults, the number cools as a leaver's (or is kept for a successor) and the licence goes last.">
        <OffboardForm tenantId={tenant.id} disabled={!canWrite} />
      </Section>
      <Section title="Joiner and leaver jobs" description="Newest first. A failed step stops the job: retry from it, or undo what was done.">
        <ErrorAlert error={jobs.error} />
        {jobs.data?.length ? (
          <ul className="space-y-3">
            {jobs.data.map((job) => (
              <JobCard key={job.id} tenantId={tenant.id} job={job} canWrite={canWrite} />
            ))}
          </ul>
        ) : jobs.data ? (
          <p className="text-sm text-zinc-600">No joiner or leaver jobs yet.</p>
        ) : null}
      </Section>
    </div>
  );
}
