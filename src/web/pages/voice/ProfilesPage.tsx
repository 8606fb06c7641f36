import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState, type FormEvent } from 'react';
import { facetsQuery, rangesQuery, sitesQuery } from '../../api/inventory.ts';
import { licencesQuery } from '../../api/lifecycle.ts';
import { policiesQuery, profilesQuery, teamsApi, teamsKeys, type NumberSourceDto, type TeamsPolicyType, type VoiceProfileDto } from '../../api/teams.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { ChoiceField, SelectField, TextField } from '../../components/Field.tsx';
import { Section } from '../../components/Section.tsx';
import { Table, Td, Th } from '../../components/Table.tsx';
import { fieldError } from '../../lib/errors.ts';
import { useFocusFirstInvalid } from '../../lib/focus.ts';
import { formatDateTime } from '../../lib/format.ts';
import { mainPolicyTypes, otherPolicyTypes, policyLabel } from '../../lib/teams.ts';
import { useTenant } from '../tenants/tenant-context.ts';
import { profilePolicyLines, useSourceText } from './ProfileSummary.tsx';

type SourceKind = 'none' | 'range' | 'site' | 'tag';
/** Select values: leave the user's policy as it is, or take away the direct assignment. */
const UNCHANGED = '';
const INHERIT = '\u0000inherit';

function ProfileForm({ tenantId, profile, onDone, onCancel }: { tenantId: string; profile: VoiceProfileDto | null; onDone: (saved: VoiceProfileDto) => void; onCancel: () => void }) {
  const queryClient = useQueryClient();
  const ranges = useQuery(rangesQuery(tenantId));
  const sites = useQuery(sitesQuery(tenantId));
  const facets = useQuery(facetsQuery(tenantId));
  const catalog = useQuery(policiesQuery(tenantId));
  const tagsId = useId();
  const radio = useId();
  const source = profile?.numberSource ?? null;
  const [name, setName] = useState(profile?.name ?? '');
  const [kind, setKind] = useState<SourceKind>(!source ? 'none' : 'rangeId' in source ? 'range' : 'siteId' in source ? 'site' : 'tag');
  const [rangeId, setRangeId] = useState(source && 'rangeId' in source ? source.rangeId : '');
  const [siteId, setSiteId] = useState(source && 'siteId' in source ? source.siteId : '');
  const [tag, setTag] = useState(source && 'tag' in source ? source.tag : '');
  const [policies, setPolicies] = useState<Record<string, string>>(() =>
    Object.fromEntries(Object.entries(profile?.policies ?? {}).map(([t, n]) => [t, n === null ? INHERIT : n])),
  );
  const licences = useQuery(licencesQuery(tenantId));
  const [licence, setLicence] = useState(profile?.licenceSkuIds[0] ?? '');
  const [usageLocation, setUsageLocation] = useState(profile?.usageLocation ?? '');
  const [local, setLocal] = useState<Record<string, string>>({});
  const save = useMutation({
    mutationFn: () => {
      const numberSource: NumberSourceDto | null = kind === 'range' ? { rangeId } : kind === 'site' ? { siteId } : kind === 'tag' ? { tag: tag.trim() } : null;
      const chosen = Object.fromEntries(Object.entries(policies).filter(([, v]) => v !== UNCHANGED).map(([t, v]) => [t, v === INHERIT ? null : v]));
      return teamsApi.saveProfile(tenantId, profile?.id ?? null, { name: name.trim(), numberSource, policies: chosen, licenceSkuIds: licence ? [licence] : [], usageLocation: usageLocation.trim().toUpperCase() || null });
    },
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: teamsKeys.profiles(tenantId) });
      onDone(saved);
    },
  });
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(formRef, save.error ?? (Object.keys(local).length ? local : null));
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (!name.trim()) problems.name = 'Give the profile a name.';
    if (kind === 'range' && !rangeId) problems.rangeId = 'Choose a range.';
    if (kind === 'site' && !siteId) problems.siteId = 'Choose a site.';
    if (kind === 'tag' && !tag.trim()) problems.tag = 'Enter a tag.';
    if (usageLocation.trim() && !/^[A-Za-z]{2}$/.test(usageLocation.trim())) problems.usageLocation = 'A usage location is a two-letter country code, e.g. US.';
    setLocal(problems);
    if (Object.keys(problems).length === 0) save.mutate();
  };
  const err = save.error;
  const policySelect = (type: TeamsPolicyType) => {
    const names = (catalog.data?.find((c) => c.policyType === type)?.policies.map((p) => p.name) ?? []).filter((n) => n.toLowerCase() !== 'global');
    const value = policies[type] ?? UNCHANGED;
    const options = value !== UNCHANGED && value !== INHERIT && !names.includes(value) ? [value, ...names] : names;
    return (
      <SelectField key={type} label={policyLabel(type)} name={type} value={value} onChange={(e) => setPolicies({ ...policies, [type]: e.target.value })} error={fieldError(err, `policies.${type}`)}>
        <option value={UNCHANGED}>Leave as the user has it</option>
        <option value={INHERIT}>(no direct assignment — inherit)</option>
        {options.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </SelectField>
    );
  };
  const otherSet = otherPolicyTypes.filter((t) => (policies[t] ?? UNCHANGED) !== UNCHANGED).length;
  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="space-y-5">
      <TextField label="Name" name="name" required maxLength={120} autoComplete="off" placeholder="e.g. Seattle desk phone" value={name} onChange={(e) => setName(e.target.value)} error={local.name ?? fieldError(err, 'name', { profile_name_taken: 'name' })} data-autofocus />
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-zinc-800">Number</legend>
        <div className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
          {(
            [
              ['none', 'No number (policies only)'],
              ['range', 'Next free in a range'],
              ['site', 'Next free at a site'],
              ['tag', 'Next free with a tag'],
            ] as const
          ).map(([value, label]) => (
            <label key={value} className="flex items-center gap-1.5">
              <input type="radio" name={radio} checked={kind === value} onChange={() => setKind(value)} className="accent-blue-700" />
              {label}
            </label>
          ))}
        </div>
        {kind === 'range' ? (
          <ChoiceField label="Range" name="rangeId" value={rangeId} onChange={(e) => setRangeId(e.target.value)} error={local.rangeId ?? fieldError(err, 'numberSource.rangeId')} empty="Choose a range" choices={ranges.data?.map((r) => ({ value: r.id, label: `${r.name} (${r.startE164} – ${r.endE164})` })) ?? []} />
        ) : null}
        {kind === 'site' ? (
          <ChoiceField label="Site" name="siteId" value={siteId} onChange={(e) => setSiteId(e.target.value)} error={local.siteId ?? fieldError(err, 'numberSource.siteId')} empty="Choose a site" choices={sites.data?.map((s) => ({ value: s.id, label: s.name })) ?? []} />
        ) : null}
        {kind === 'tag' ? (
          <>
            <TextField label="Tag" name="tag" list={tagsId} autoComplete="off" maxLength={50} value={tag} onChange={(e) => setTag(e.target.value)} error={local.tag ?? fieldError(err, 'numberSource.tag')} />
            <datalist id={tagsId}>
              {facets.data?.tags.map((t) => (
                <option key={t} value={t} />
              ))}
            </datalist>
          </>
        ) : null}
      </fieldset>
      <fieldset className="space-y-3">
        <legend className="text-sm font-medium text-zinc-800">Policies</legend>
        <ErrorAlert error={catalog.error} />
        <div className="grid gap-4 sm:grid-cols-2">{mainPolicyTypes.map(policySelect)}</div>
        <details className="rounded-md border border-zinc-200 px-3 py-2" open={otherSet > 0 || undefined}>
          <summary className="cursor-pointer text-sm font-medium text-blue-700">
            Other policies ({otherPolicyTypes.length}){otherSet ? ` — ${otherSet} set` : ''}
          </summary>
          <div className="mt-3 grid gap-4 sm:grid-cols-2">{otherPolicyTypes.map(policySelect)}</div>
        </details>
      </fieldset>
      <fieldset className="space-y-3">
        <legend className="text-sm font-medium text-zinc-800">For joiners</legend>
        <p className="text-xs text-zinc-600">Onboarding with this profile assigns the licence when the user lacks Teams Phone (or a Calling Plan for a Calling Plan number) and sets the usage location when they have none, unless the onboarding names others.</p>
        <div className="grid gap-4 sm:grid-cols-2">
          <ChoiceField
            label="Licence to assign"
            name="profileLicence"
            value={licence}
            onChange={(e) => setLicence(e.target.value)}
            error={fieldError(err, 'licenceSkuIds')}
            empty="None"
            choices={(licences.data ?? []).filter((l) => l.teamsPhone || l.callingPlan || l.skuId === licence).map((l) => ({ value: l.skuId, label: `${l.skuPartNumber} (${l.free} of ${l.total} free)` }))}
          />
          <TextField label="Usage location" hint="Two letters, e.g. US." name="profileUsageLocation" autoComplete="off" maxLength={2} value={usageLocation} onChange={(e) => setUsageLocation(e.target.value.toUpperCase())} error={local.usageLocation ?? fieldError(err, 'usageLocation')} />
        </div>
      </fieldset>
      <ErrorAlert error={err} fieldsShown />
      <div className="flex justify-end gap-2">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" busy={save.isPending}>
          {profile ? 'Save profile' : 'Add profile'}
        </Button>
      </div>
    </form>
  );
}

/** Voice profiles (D4): saved number source and policies, applied to a user from the voice page. */
export function ProfilesPage() {
  const { tenant, canWrite } = useTenant();
  const queryClient = useQueryClient();
  const profiles = useQuery(profilesQuery(tenant.id));
  const sourceText = useSourceText(tenant.id);
  const [editing, setEditing] = useState<VoiceProfileDto | 'new' | null>(null);
  const [deleting, setDeleting] = useState<VoiceProfileDto | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const remove = useMutation({
    mutationFn: (p: VoiceProfileDto) => teamsApi.deleteProfile(tenant.id, p.id),
    onSuccess: async (_, p) => {
      await queryClient.invalidateQueries({ queryKey: teamsKeys.profiles(tenant.id) });
      setDone(`Profile “${p.name}” deleted.`);
      setDeleting(null);
    },
  });
  return (
    <Section
      title="Profiles"
      description="Saved set-ups: where the number comes from and which policies to set. Apply one to a user from the Voice page."
      actions={
        canWrite ? (
          <Button variant="primary" onClick={() => setEditing('new')}>
            Add profile
          </Button>
        ) : null
      }
    >
      {done ? <Notice className="mb-4">{done}</Notice> : null}
      <ErrorAlert error={profiles.error} />
      {profiles.isPending ? <p className="text-sm text-zinc-600">Loading…</p> : null}
      {profiles.data?.length === 0 ? <p className="text-sm text-zinc-600">No profiles yet.</p> : null}
      {profiles.data && profiles.data.length > 0 ? (
        <Table caption="Voice profiles">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Number</Th>
              <Th>Policies</Th>
              <Th>Changed</Th>
              {canWrite ? (
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              ) : null}
            </tr>
          </thead>
          <tbody className="bg-white">
            {profiles.data.map((p) => {
              const lines = profilePolicyLines(p);
              return (
                <tr key={p.id} data-testid="profile-row">
                  <Td className="font-medium text-zinc-900">{p.name}</Td>
                  <Td>{sourceText(p.numberSource)}</Td>
                  <Td>
                    {lines.length ? (
                      <ul className="space-y-0.5">
                        {lines.map((l) => (
                          <li key={l}>{l}</li>
                        ))}
                      </ul>
                    ) : (
                      <span className="text-zinc-500">None</span>
                    )}
                  </Td>
                  <Td className="whitespace-nowrap">{formatDateTime(p.updatedAt)}</Td>
                  {canWrite ? (
                    <Td className="text-right whitespace-nowrap">
                      <span className="inline-flex gap-1.5">
                        <Button size="sm" onClick={() => setEditing(p)} aria-label={`Edit ${p.name}`}>
                          Edit
                        </Button>
                        <Button size="sm" variant="ghost" onClick={() => setDeleting(p)} aria-label={`Delete ${p.name}`}>
                          Delete
                        </Button>
                      </span>
                    </Td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </Table>
      ) : null}
      <Dialog open={editing !== null} onClose={() => setEditing(null)} wide title={editing === 'new' ? 'Add a profile' : `Edit ${editing?.name ?? ''}`}>
        <ProfileForm
          tenantId={tenant.id}
          profile={editing === 'new' ? null : editing}
          onCancel={() => setEditing(null)}
          onDone={(saved) => {
            setDone(`Profile “${saved.name}” saved.`);
            setEditing(null);
          }}
        />
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete ${deleting?.name ?? ''}?`}
        confirmLabel="Delete profile"
        danger
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => deleting && remove.mutate(deleting)}
        onCancel={() => {
          remove.reset();
          setDeleting(null);
        }}
      >
        <p>Users who got their set-up from it keep it; the profile just cannot be applied any more.</p>
      </ConfirmDialog>
    </Section>
  );
}
