import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { resourceAccountApi, resourceAccountJobQuery, type ResourceAccountJob } from '../../api/resource-accounts.ts';
import type { NumberDto } from '../../api/types.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { SelectField, TextField } from '../../components/Field.tsx';
import { NumberPicker } from '../voice/NumberPicker.tsx';

/** An auto attendant or call queue a new account can be linked to (from the Voice apps page's list). */
export type VoiceAppChoice = { identity: string; name: string; type: 'aa' | 'cq' };

const stepMark: Record<string, string> = { pending: '○', running: '…', succeeded: '✓', skipped: '–', failed: '✗' };

/** The job's steps as they go: each with its state and what it did. */
function JobProgress({ job }: { job: ResourceAccountJob }) {
  return (
    <div className="space-y-3">
      <ol className="space-y-1.5 text-sm" aria-label="Steps">
        {job.steps.map((step) => (
          <li key={step.name} className="flex gap-2">
            <span aria-hidden="true" className={`w-4 text-center ${step.state === 'failed' ? 'text-red-700' : step.state === 'succeeded' ? 'text-green-700' : 'text-zinc-500'}`}>
              {stepMark[step.state] ?? '○'}
            </span>
            <span>
              <span className="font-medium text-zinc-900">{step.title}</span>
              <span className="sr-only"> ({step.state})</span>
              {step.message ? <span className="block text-xs text-zinc-600">{step.message}</span> : null}
            </span>
          </li>
        ))}
      </ol>
      {job.status === 'succeeded' ? <Notice>Resource account {job.userPrincipalName} created.</Notice> : null}
      {job.status === 'failed' ? <ErrorAlert error={new Error(job.error ?? 'The job failed.')} /> : null}
    </div>
  );
}

/**
 * "New resource account": name, UPN, type, usage location, an optional number from the inventory
 * and an optional auto attendant or call queue to link to; then the creation job's steps as they
 * run. `onDone` gets the finished job (its objectId is the new account's).
 */
export function NewResourceAccountDialog({ tenantId, voiceApps = [], defaultUsageLocation = '', onDone }: { tenantId: string; voiceApps?: VoiceAppChoice[]; defaultUsageLocation?: string; onDone?: (job: ResourceAccountJob) => void }) {
  const [open, setOpen] = useState(false);
  const [displayName, setDisplayName] = useState('');
  const [upn, setUpn] = useState('');
  const [type, setType] = useState<'aa' | 'cq'>('aa');
  const [usageLocation, setUsageLocation] = useState(defaultUsageLocation);
  const [withNumber, setWithNumber] = useState(false);
  const [number, setNumber] = useState<NumberDto | null>(null);
  const [associateWith, setAssociateWith] = useState('');
  const [ticketId, setTicketId] = useState('');
  const [jobId, setJobId] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () =>
      resourceAccountApi.create(tenantId, {
        displayName: displayName.trim(),
        userPrincipalName: upn.trim(),
        type,
        usageLocation: usageLocation.trim().toUpperCase() || null,
        number: withNumber && number ? { numberId: number.id } : null,
        associateWith: associateWith || null,
        ticketId: ticketId.trim() || null,
      }),
    onSuccess: (job) => setJobId(job.id),
  });
  const job = useQuery({ ...resourceAccountJobQuery(tenantId, jobId ?? ''), enabled: jobId !== null });
  const finished = job.data && job.data.status !== 'queued' && job.data.status !== 'running' ? job.data : null;
  const close = () => {
    setOpen(false);
    if (finished) onDone?.(finished);
    setJobId(null);
    create.reset();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  const targets = voiceApps.filter((v) => v.type === type);

  return (
    <>
      <Button variant="primary" onClick={() => setOpen(true)}>
        New resource account
      </Button>
      <Dialog open={open} onClose={close} title="New resource account" description="Created through Teams PowerShell, licensed, numbered and linked in one job that survives a restart." wide>
        {jobId && job.data ? (
          <div className="space-y-4">
            <JobProgress job={job.data} />
            <div className="flex justify-end">
              <Button onClick={close} disabled={!finished}>
                {finished ? 'Close' : 'Working…'}
              </Button>
            </div>
          </div>
        ) : (
          <form onSubmit={submit} className="space-y-4" noValidate>
            <TextField label="Display name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} required data-autofocus placeholder="Main line AA" />
            <TextField label="User principal name" value={upn} onChange={(e) => setUpn(e.target.value)} required placeholder="mainline@contoso.com" autoComplete="off" />
            <SelectField label="Type" value={type} onChange={(e) => { setType(e.target.value as 'aa' | 'cq'); setAssociateWith(''); }}>
              <option value="aa">Auto attendant</option>
              <option value="cq">Call queue</option>
            </SelectField>
            <TextField label="Usage location" hint="Two-letter country code, needed for the Teams Phone Resource Account licence. Empty: the tenant's default country." value={usageLocation} onChange={(e) => setUsageLocation(e.target.value)} maxLength={2} />
            <label className="flex items-center gap-2 text-sm font-medium text-zinc-800">
              <input type="checkbox" checked={withNumber} onChange={(e) => setWithNumber(e.target.checked)} className="accent-blue-700" />
              Assign a number from the inventory
            </label>
            {withNumber ? <NumberPicker tenantId={tenantId} value={number} onChange={setNumber} /> : null}
            {targets.length ? (
              <SelectField label={type === 'aa' ? 'Link to auto attendant' : 'Link to call queue'} value={associateWith} onChange={(e) => setAssociateWith(e.target.value)}>
                <option value="">Do not link now</option>
                {targets.map((t) => (
                  <option key={t.identity} value={t.identity}>
                    {t.name}
                  </option>
                ))}
              </SelectField>
            ) : null}
            <TextField label="Ticket (optional)" value={ticketId} onChange={(e) => setTicketId(e.target.value)} inputMode="numeric" className="max-w-48" />
            <ErrorAlert error={create.error} />
            <div className="flex justify-end gap-2">
              <Button onClick={close}>Cancel</Button>
              <Button variant="primary" type="submit" busy={create.isPending} disabled={!displayName.trim() || !upn.trim() || (withNumber && !number)}>
                Create resource account
              </Button>
            </div>
          </form>
        )}
      </Dialog>
    </>
  );
}
