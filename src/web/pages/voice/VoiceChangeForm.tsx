import { useMutation, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useId, useRef, useState, type FormEvent } from 'react';
import { emergencyLocationsQuery, locationDefaultsQuery } from '../../api/emergency.ts';
import { policiesQuery, teamsApi, type PolicyCatalogDto, type TeamsPolicyType, type TeamsUserDto, type VoiceChangeDto, type VoiceChangeInput } from '../../api/teams.ts';
import type { NumberDto, TenantDto } from '../../api/types.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { ScheduleControl } from './ScheduleControl.tsx';
import { SelectField, TextField } from '../../components/Field.tsx';
import { fieldError } from '../../lib/errors.ts';
import { useFocusFirstInvalid } from '../../lib/focus.ts';
import { TICKET } from '../../lib/inventory.ts';
import { assignmentLabel, mainPolicyTypes, otherPolicyTypes, policyLabel, voiceReadiness } from '../../lib/teams.ts';
import { TicketPicker } from '../connectwise/TicketPicker.tsx';
import { ticketBody, type TicketLogChoicesDto } from '../../api/connectwise.ts';
import { NumberPicker } from './NumberPicker.tsx';
import { PolicyRefreshBar } from './PolicyRefresh.tsx';

type NumberChoice = 'keep' | 'inventory' | 'typed' | 'remove';
/** The select's value for "no direct assignment": the user inherits (group or org-wide). */
const INHERIT = '';

/** The policy a user has directly, or INHERIT when it comes from a group or the org-wide default. */
function directPolicy(user: TeamsUserDto, type: TeamsPolicyType): string {
  const p = user.policies[type];
  return p?.assignmentType === 'direct' && p.name ? p.name : INHERIT;
}

function PolicySelect({ type, user, catalog, value, onChange, error }: { type: TeamsPolicyType; user: TeamsUserDto; catalog: PolicyCatalogDto | undefined; value: string; onChange: (v: string) => void; error?: string | undefined }) {
  // "Global" is what a user inherits when nothing is assigned: the inherit choice stands for it.
  const names = (catalog?.find((c) => c.policyType === type)?.policies.map((p) => p.name) ?? []).filter((n) => n.toLowerCase() !== 'global');
  const current = directPolicy(user, type);
  // A directly assigned name the catalog has not learned yet stays choosable.
  const options = current && !names.some((n) => n.toLowerCase() === current.toLowerCase()) ? [current, ...names] : names;
  const effective = user.policies[type];
  const now = effective?.name ? `Now: ${effective.name} (${assignmentLabel(effective.assignmentType).label.toLowerCase()})` : 'Now: not reported by Teams';
  return (
    <SelectField label={policyLabel(type)} name={type} hint={now} value={value} onChange={(e) => onChange(e.target.value)} error={error}>
      <option value={INHERIT}>(no direct assignment — inherit)</option>
      {options.map((name) => (
        <option key={name} value={name}>
          {name}
        </option>
      ))}
    </SelectField>
  );
}

/** What an assignment of this number sends when no location is chosen: its own, else its range's, then its site's default. */
function defaultFor(number: NumberDto | null, defaults: { sites: Array<{ id: string; defaultLocationId: string | null }>; ranges: Array<{ id: string; siteId: string | null; defaultLocationId: string | null }> } | undefined): { locationId: string; from: string } | null {
  if (!number || !defaults) return null;
  if (number.emergencyLocationId) return { locationId: number.emergencyLocationId, from: 'the number’s own' };
  const range = number.rangeId ? defaults.ranges.find((r) => r.id === number.rangeId) : undefined;
  if (range?.defaultLocationId) return { locationId: range.defaultLocationId, from: 'the range’s default' };
  const siteId = number.siteId ?? range?.siteId ?? null;
  const site = siteId ? defaults.sites.find((x) => x.id === siteId) : undefined;
  return site?.defaultLocationId ? { locationId: site.defaultLocationId, from: 'the site’s default' } : null;
}

/** The emergency location sent with the new number; empty keeps the number's own or its range's / site's default. */
function LocationPicker({ tenantId, number, value, onChange, error }: { tenantId: string; number: NumberDto | null; value: string; onChange: (v: string) => void; error?: string | undefined }) {
  const locations = useQuery(emergencyLocationsQuery(tenantId));
  const defaults = useQuery(locationDefaultsQuery(tenantId));
  const list = locations.data?.locations ?? [];
  const applies = defaultFor(number, defaults.data);
  const appliesLabel = applies ? (list.find((l) => l.locationId === applies.locationId)?.label ?? applies.locationId) : null;
  const emergencyPage = (
    <Link to="/tenants/$tenantId/emergency" params={{ tenantId }} className="font-medium text-blue-700 underline">
      Emergency page
    </Link>
  );
  if (locations.isSuccess && list.length === 0) return <p className="text-xs text-zinc-600">This tenant has no emergency locations in UCR yet; refresh or import them on the {emergencyPage}.</p>;
  return (
    <SelectField
      label="Emergency location"
      name="locationId"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={error}
      hint={
        <>
          Optional. Without a choice Teams gets {appliesLabel ? `${appliesLabel} (${applies!.from})` : 'the number’s own location, else its range’s or site’s default (none is set for this number)'}. Defaults are set on the {emergencyPage}.
        </>
      }
    >
      <option value="">The number’s / range’s / site’s default{appliesLabel ? ` — ${appliesLabel}` : ''}</option>
      {list.map((l) => (
        <option key={l.locationId} value={l.locationId}>
          {l.label}
        </option>
      ))}
    </SelectField>
  );
}

/**
 * Assign, change or remove the user's number and set their policies (D2). Only what differs
 * from the user's current set-up is sent; the answer is a pending change that the panel follows.
 */
export function VoiceChangeForm({ tenant, user, disabled, onRequested }: { tenant: TenantDto; user: TeamsUserDto; disabled: boolean; onRequested: (change: VoiceChangeDto) => void }) {
  const catalog = useQuery(policiesQuery(tenant.id));
  const hasNumber = user.numbers.length > 0;
  const manual = tenant.features.manualNumberEntry;
  const [choice, setChoice] = useState<NumberChoice>('keep');
  const [picked, setPicked] = useState<NumberDto | null>(null);
  const [typed, setTyped] = useState('');
  const [policies, setPolicies] = useState<Record<string, string>>(() => Object.fromEntries([...mainPolicyTypes, ...otherPolicyTypes].map((t) => [t, directPolicy(user, t)])));
  const [ticket, setTicket] = useState('');
  const [ticketChoices, setTicketChoices] = useState<TicketLogChoicesDto | null>(null);
  const [locationId, setLocationId] = useState('');
  const [local, setLocal] = useState<Record<string, string>>({});
  const radioName = useId();
  const formRef = useRef<HTMLFormElement>(null);

  const changedPolicies = Object.fromEntries(
    Object.entries(policies)
      .filter(([type, value]) => value !== directPolicy(user, type as TeamsPolicyType))
      .map(([type, value]) => [type, value === INHERIT ? null : value]),
  ) as NonNullable<VoiceChangeInput['policies']>;
  const otherChanged = otherPolicyTypes.filter((t) => t in changedPolicies).length;

  const submit = useMutation({
    mutationFn: (body: VoiceChangeInput) => teamsApi.requestChange(tenant.id, user.userId, body),
    onSuccess: (change) => onRequested(change),
  });
  useFocusFirstInvalid(formRef, submit.error ?? (Object.keys(local).length ? local : null));

  /** The change the form describes, or null (with the problems shown) when it has none or a mistake. */
  const build = (): VoiceChangeInput | null => {
    const problems: Record<string, string> = {};
    const body: VoiceChangeInput = {};
    if (choice === 'inventory') {
      if (picked) body.number = { numberId: picked.id };
      else problems.number = 'Choose a number from the list.';
    } else if (choice === 'typed') {
      if (typed.trim()) body.number = { e164: typed.trim() };
      else problems.typed = 'Type the number, e.g. +1 425 555 0123.';
    } else if (choice === 'remove') {
      body.number = null;
    }
    if ((choice === 'inventory' || choice === 'typed') && locationId) body.locationId = locationId;
    if (Object.keys(changedPolicies).length) body.policies = changedPolicies;
    if (ticket.trim()) {
      if (TICKET.test(ticket.trim())) Object.assign(body, ticketBody(ticket, ticketChoices));
      else problems.ticketId = 'A ticket number is digits only, e.g. 48213.';
    }
    if (!problems.number && !problems.typed && body.number === undefined && !body.policies) problems.form = 'Nothing to change yet: choose a number, or a different policy.';
    setLocal(problems);
    return Object.keys(problems).length === 0 ? body : null;
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const body = build();
    if (body) submit.mutate(body);
  };

  const err = submit.error;
  const readiness = voiceReadiness(user);
  const numberError = local.number ?? fieldError(err, 'number');
  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="space-y-5" aria-label="Change voice set-up">
      <fieldset className="space-y-2" disabled={disabled}>
        <legend className="text-sm font-semibold text-zinc-900">Phone number</legend>
        <div className="flex flex-wrap gap-x-5 gap-y-1 text-sm">
          {(
            [
              ['keep', hasNumber ? `Keep ${user.numbers[0]!.telephoneNumber}` : 'Leave without a number'],
              ['inventory', hasNumber ? 'Change to a number from the inventory' : 'Assign a number from the inventory'],
              ...(manual ? ([['typed', 'Type a number']] as const) : []),
              ...(hasNumber ? ([['remove', 'Remove the number']] as const) : []),
            ] as const
          ).map(([value, label]) => (
            <label key={value} className="flex items-center gap-1.5">
              <input type="radio" name={radioName} value={value} checked={choice === value} onChange={() => setChoice(value)} className="accent-blue-700" />
              {label}
            </label>
          ))}
        </div>
        {choice !== 'keep' && choice !== 'remove' && readiness.length ? (
          <p className="text-sm text-amber-900">Teams will refuse a number for this user: {readiness.join(' ')}</p>
        ) : null}
        {choice === 'inventory' ? <NumberPicker tenantId={tenant.id} value={picked} onChange={setPicked} error={numberError} /> : null}
        {choice === 'typed' ? (
          <TextField
            label="Number"
            name="typedNumber"
            inputMode="tel"
            autoComplete="off"
            placeholder="+1 425 555 0123"
            hint="Allowed for this tenant: a number not in the inventory is added to it (as Direct Routing) and assigned."
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            error={local.typed ?? fieldError(err, 'number')}
          />
        ) : null}
        {choice === 'inventory' || choice === 'typed' ? <LocationPicker tenantId={tenant.id} number={choice === 'inventory' ? picked : null} value={locationId} onChange={setLocationId} error={fieldError(err, 'locationId')} /> : null}
        {choice === 'remove' ? <p className="text-sm text-zinc-700">The number goes back to the inventory (cooling for {tenant.features.coolingDays} days) once Teams confirms.</p> : null}
        {!manual ? <p className="text-xs text-zinc-500">Typed numbers are switched off for this tenant: numbers come from the inventory.</p> : null}
      </fieldset>

      <fieldset className="space-y-3" disabled={disabled}>
        <legend className="text-sm font-semibold text-zinc-900">Policies</legend>
        <PolicyRefreshBar tenantId={tenant.id} disabled={disabled} />
        <ErrorAlert error={catalog.error} />
        <div className="grid gap-4 sm:grid-cols-2">
          {mainPolicyTypes.map((type) => (
            <PolicySelect key={type} type={type} user={user} catalog={catalog.data} value={policies[type] ?? INHERIT} onChange={(v) => setPolicies({ ...policies, [type]: v })} error={fieldError(err, `policies.${type}`)} />
          ))}
        </div>
        <details className="rounded-md border border-zinc-200 px-3 py-2" open={otherChanged > 0 || undefined}>
          <summary className="cursor-pointer text-sm font-medium text-blue-700">
            Other policies ({otherPolicyTypes.length}){otherChanged ? ` — ${otherChanged} changed` : ''}
          </summary>
          <div className="mt-3 grid gap-4 sm:grid-cols-2">
            {otherPolicyTypes.map((type) => (
              <PolicySelect key={type} type={type} user={user} catalog={catalog.data} value={policies[type] ?? INHERIT} onChange={(v) => setPolicies({ ...policies, [type]: v })} error={fieldError(err, `policies.${type}`)} />
            ))}
          </div>
        </details>
      </fieldset>

      <fieldset disabled={disabled} className="space-y-4">
        <TicketPicker tenant={tenant} value={ticket} onChange={setTicket} error={local.ticketId ?? fieldError(err, 'ticketId')} disabled={disabled} choices={ticketChoices} onChoicesChange={setTicketChoices} choiceError={(field) => fieldError(err, field)} />
        {local.form ? (
          <p role="alert" className="text-sm text-red-700">
            {local.form}
          </p>
        ) : null}
        <ErrorAlert error={err} />
        <div className="flex items-center gap-3">
          <Button type="submit" variant="primary" busy={submit.isPending}>
            Apply in Teams
          </Button>
          {disabled ? <span className="text-sm text-zinc-600">A change is waiting for Teams; the form opens again when it is done.</span> : null}
        </div>
        <ScheduleControl
          tenantId={tenant.id}
          timeZone={tenant.timeZone}
          kind="voice_change"
          name="voiceWhen"
          input={() => {
            const body = build();
            return body ? { ...body, userId: user.userId } : null;
          }}
        />
      </fieldset>
    </form>
  );
}
