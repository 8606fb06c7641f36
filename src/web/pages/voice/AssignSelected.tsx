import { useMutation, useQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { bulkApi, type BulkJobWithRowsDto, type SelectionUserDto } from '../../api/bulk.ts';
import { rangesQuery, sitesQuery } from '../../api/inventory.ts';
import { policiesQuery, profilesQuery, type TeamsUserDto } from '../../api/teams.ts';
import type { NumberDto } from '../../api/types.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { SelectField } from '../../components/Field.tsx';
import { plural } from '../../lib/inventory.ts';
import { NumberPicker } from './NumberPicker.tsx';

type NumberMode = 'none' | 'range' | 'site' | 'specific';
type Choice = { mode: NumberMode; range: string; site: string; number: NumberDto | null; profile: string; voiceRouting: string };
const blank: Choice = { mode: 'none', range: '', site: '', number: null, profile: '', voiceRouting: '' };

/** What one user's choices send: the selection API's words for "next free of", a given number, a profile, a policy. */
function selectionUser(user: TeamsUserDto, c: Choice): SelectionUserDto {
  const number = c.mode === 'range' && c.range ? { nextFromRange: c.range } : c.mode === 'site' && c.site ? { nextFromSite: c.site } : c.mode === 'specific' && c.number ? { e164: c.number.e164 } : null;
  return { upn: user.upn, number, profile: c.profile || null, ...(c.voiceRouting ? { policies: { OnlineVoiceRoutingPolicy: c.voiceRouting } } : {}) };
}

/** A choice that cannot be sent yet (a mode without its range, site or number). */
function missing(c: Choice): string | null {
  if (c.mode === 'range' && !c.range) return 'Choose the range.';
  if (c.mode === 'site' && !c.site) return 'Choose the site.';
  if (c.mode === 'specific' && !c.number) return 'Choose the number.';
  if (c.mode === 'none' && !c.profile && !c.voiceRouting) return 'Choose a number, a profile or a policy.';
  return null;
}

/**
 * The users ticked in the list, each with a number (next free of a range or site, or a chosen
 * one), a profile or a voice routing policy. "Dry run" checks them all as a bulk upload would;
 * only when every user passes can the job run, and it is then followed on the Bulk page.
 */
export function AssignSelected({ tenantId, users, onRemove, onClear }: { tenantId: string; users: TeamsUserDto[]; onRemove: (userId: string) => void; onClear: () => void }) {
  const navigate = useNavigate();
  const ranges = useQuery(rangesQuery(tenantId));
  const sites = useQuery(sitesQuery(tenantId));
  const profiles = useQuery(profilesQuery(tenantId));
  const catalog = useQuery(policiesQuery(tenantId));
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const [shown, setShown] = useState<Record<string, string>>({});
  const [dry, setDry] = useState<BulkJobWithRowsDto | null>(null);
  const choiceOf = (userId: string) => choices[userId] ?? blank;
  const change = (userId: string, patch: Partial<Choice>) => {
    setChoices({ ...choices, [userId]: { ...choiceOf(userId), ...patch } });
    setDry(null); // a dry run is for the choices it checked
  };
  const check = useMutation({
    mutationFn: () => bulkApi.fromSelection(tenantId, { users: users.map((u) => selectionUser(u, choiceOf(u.userId))) }),
    onSuccess: setDry,
  });
  const run = useMutation({
    mutationFn: (jobId: string) => bulkApi.run(tenantId, jobId),
    onSuccess: async (job) => {
      onClear();
      await navigate({ to: '/tenants/$tenantId/bulk', params: { tenantId }, search: { job: job.id } });
    },
  });
  const onDryRun = () => {
    const problems = Object.fromEntries(users.flatMap((u) => {
      const m = missing(choiceOf(u.userId));
      return m ? [[u.userId, m]] : [];
    }));
    setShown(problems);
    if (Object.keys(problems).length === 0) check.mutate();
  };
  const verdictOf = (index: number) => dry?.rows.find((r) => r.rowNumber === index + 1);
  const errors = dry ? dry.rows.filter((r) => r.verdict === 'error').length : 0;
  const policyNames = (catalog.data?.find((c) => c.policyType === 'OnlineVoiceRoutingPolicy')?.policies.map((p) => p.name) ?? []).filter((n) => n.toLowerCase() !== 'global');

  return (
    <section aria-labelledby="assign-selected-heading" className="space-y-4 rounded-lg border border-zinc-200 bg-white p-4 shadow-xs" data-testid="assign-selected">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div>
          <h2 id="assign-selected-heading" className="text-base font-semibold text-zinc-900">
            Assign {plural(users.length, 'selected user')}
          </h2>
          <p className="text-xs text-zinc-600">Checked and run as a bulk job, the same as a CSV upload: nothing changes in Teams until you run it.</p>
        </div>
        <Button size="sm" onClick={onClear}>
          Clear selection
        </Button>
      </div>
      <ol className="space-y-3">
        {users.map((user, index) => {
          const c = choiceOf(user.userId);
          const verdict = verdictOf(index);
          return (
            <li key={user.userId} className="space-y-3 rounded-md border border-zinc-200 p-3" data-testid="selected-user" aria-label={user.upn}>
              <div className="flex flex-wrap items-center justify-between gap-2">
                <span>
                  <span className="block text-sm font-medium text-zinc-900">{user.displayName || user.upn}</span>
                  <span className="block text-xs text-zinc-600">
                    {user.upn} · {user.numbers[0]?.telephoneNumber ?? 'no number'}
                  </span>
                </span>
                <span className="flex items-center gap-2">
                  {verdict ? verdict.verdict === 'ok' ? <Badge tone="green">Passes</Badge> : <Badge tone="red">Error</Badge> : null}
                  <Button size="sm" onClick={() => onRemove(user.userId)} aria-label={`Untick ${user.upn}`}>
                    Remove
                  </Button>
                </span>
              </div>
              <div className="grid gap-3 sm:grid-cols-3">
                <SelectField label="Number" name={`mode-${index}`} value={c.mode} onChange={(e) => change(user.userId, { mode: e.target.value as NumberMode })} error={shown[user.userId]}>
                  <option value="none">No number change</option>
                  <option value="range">Next free from a range</option>
                  <option value="site">Next free from a site</option>
                  <option value="specific">A specific number</option>
                </SelectField>
                {c.mode === 'range' ? (
                  <SelectField label="Range" name={`range-${index}`} value={c.range} onChange={(e) => change(user.userId, { range: e.target.value })}>
                    <option value="">Choose…</option>
                    {(ranges.data ?? []).map((r) => (
                      <option key={r.id} value={r.name}>
                        {r.name}
                      </option>
                    ))}
                  </SelectField>
                ) : null}
                {c.mode === 'site' ? (
                  <SelectField label="Site" name={`site-${index}`} value={c.site} onChange={(e) => change(user.userId, { site: e.target.value })}>
                    <option value="">Choose…</option>
                    {(sites.data ?? []).map((x) => (
                      <option key={x.id} value={x.name}>
                        {x.name}
                      </option>
                    ))}
                  </SelectField>
                ) : null}
                <SelectField label="Profile" name={`profile-${index}`} value={c.profile} onChange={(e) => change(user.userId, { profile: e.target.value })}>
                  <option value="">No profile</option>
                  {(profiles.data ?? []).map((p) => (
                    <option key={p.id} value={p.name}>
                      {p.name}
                    </option>
                  ))}
                </SelectField>
                <SelectField label="Voice routing policy" name={`routing-${index}`} value={c.voiceRouting} onChange={(e) => change(user.userId, { voiceRouting: e.target.value })}>
                  <option value="">Leave as it is</option>
                  {policyNames.map((n) => (
                    <option key={n} value={n}>
                      {n}
                    </option>
                  ))}
                </SelectField>
              </div>
              {c.mode === 'specific' ? <NumberPicker tenantId={tenantId} value={c.number} onChange={(n) => change(user.userId, { number: n })} /> : null}
              {verdict?.verdict === 'error' ? (
                <p className="text-sm text-red-700" data-testid="selected-user-error">
                  {verdict.verdictMessage}
                </p>
              ) : null}
            </li>
          );
        })}
      </ol>
      <ErrorAlert error={check.error ?? run.error} />
      {dry && errors > 0 ? (
        <Notice tone="warning">
          {plural(errors, 'user')} did not pass the dry run, so nothing can run yet. Change their choices (the message on each says why) and dry-run again.
        </Notice>
      ) : null}
      {dry && errors === 0 ? <Notice>Every user passes: {plural(dry.counts.pending, 'change')} ready to run.</Notice> : null}
      <div className="flex flex-wrap gap-3">
        <Button variant={dry && errors === 0 ? 'secondary' : 'primary'} onClick={onDryRun} busy={check.isPending}>
          Dry run
        </Button>
        {dry && errors === 0 ? (
          <Button variant="primary" onClick={() => run.mutate(dry.id)} busy={run.isPending}>
            Run for {plural(users.length, 'user')}
          </Button>
        ) : null}
      </div>
    </section>
  );
}
