import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import { inventoryKeys } from '../../api/inventory.ts';
import { settingsQuery } from '../../api/queries.ts';
import type { SettingsDto, TenantDto } from '../../api/types.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { SelectField, TextAreaField, TextField } from '../../components/Field.tsx';
import { fieldError } from '../../lib/errors.ts';
import { useFocusFirstInvalid } from '../../lib/focus.ts';

type Flag = 'teams' | 'threecx' | 'connectwise' | 'manualNumberEntry';
type FlagChoice = '' | 'on' | 'off';

const flags: { key: Flag; label: string; setting: keyof SettingsDto; hint: string }[] = [
  { key: 'teams', label: 'Microsoft Teams', setting: 'teamsEnabled', hint: 'Teams voice work for this tenant.' },
  { key: 'threecx', label: '3CX', setting: 'threecxEnabled', hint: '3CX users, DIDs and trunks.' },
  { key: 'connectwise', label: 'ConnectWise', setting: 'connectwiseEnabled', hint: 'Ticket notes and time entries.' },
  { key: 'manualNumberEntry', label: 'Manual number entry', setting: 'manualNumberEntry', hint: 'Allow assigning a number that is not in the inventory.' },
];

/** Which way a flag goes when the tenant follows the global default. */
function defaultOf(flag: (typeof flags)[number], settings: SettingsDto | undefined, tenant: TenantDto | undefined): boolean | undefined {
  if (settings) return settings[flag.setting] as boolean;
  if (tenant && tenant.overrides[flag.key] === null) return tenant.features[flag.key];
  return undefined;
}

const toChoice = (value: boolean | null | undefined): FlagChoice => (value === true ? 'on' : value === false ? 'off' : '');
const fromChoice = (choice: FlagChoice): boolean | null => (choice === 'on' ? true : choice === 'off' ? false : null);
const orNull = (text: string) => (text.trim() === '' ? null : text.trim());

const conflictFields = { tenant_name_taken: 'name', microsoft_tenant_taken: 'microsoftTenantId' };

function TenantForm({ tenant, onDone, onCancel }: { tenant: TenantDto | undefined; onDone: (saved: TenantDto) => void; onCancel: () => void }) {
  const queryClient = useQueryClient();
  const settings = useQuery({ ...settingsQuery, retry: false });
  const [name, setName] = useState(tenant?.name ?? '');
  const [microsoftTenantId, setMicrosoftTenantId] = useState(tenant?.microsoftTenantId ?? '');
  const [primaryDomain, setPrimaryDomain] = useState(tenant?.primaryDomain ?? '');
  const [defaultCountry, setDefaultCountry] = useState(tenant?.defaultCountry ?? '');
  // Empty: the server's zone (what a tenant without a setting uses).
  const [timeZone, setTimeZone] = useState(tenant?.timeZoneSet ? tenant.timeZone : '');
  const [connectwiseCompanyId, setConnectwiseCompanyId] = useState(tenant?.connectwiseCompanyId ?? '');
  const [notes, setNotes] = useState(tenant?.notes ?? '');
  const [choices, setChoices] = useState<Record<Flag, FlagChoice>>({
    teams: toChoice(tenant?.overrides.teams),
    threecx: toChoice(tenant?.overrides.threecx),
    connectwise: toChoice(tenant?.overrides.connectwise),
    manualNumberEntry: toChoice(tenant?.overrides.manualNumberEntry),
  });
  const [coolingDays, setCoolingDays] = useState(tenant?.overrides.coolingDays == null ? '' : String(tenant.overrides.coolingDays));
  const [localError, setLocalError] = useState<string | undefined>();

  const save = useMutation({
    mutationFn: () => {
      const body = {
        name: name.trim(),
        microsoftTenantId: orNull(microsoftTenantId),
        primaryDomain: orNull(primaryDomain),
        defaultCountry: orNull(defaultCountry)?.toUpperCase() ?? null,
        timeZone: orNull(timeZone),
        connectwiseCompanyId: orNull(connectwiseCompanyId),
        notes,
        overrides: {
          teams: fromChoice(choices.teams),
          threecx: fromChoice(choices.threecx),
          connectwise: fromChoice(choices.connectwise),
          manualNumberEntry: fromChoice(choices.manualNumberEntry),
          coolingDays: coolingDays.trim() === '' ? null : Number(coolingDays),
        },
      };
      return tenant ? api.patch<TenantDto>(`/api/tenants/${tenant.id}`, body) : api.post<TenantDto>('/api/tenants', body);
    },
    onSuccess: async (saved) => {
      queryClient.setQueryData(inventoryKeys.tenant(saved.id), saved);
      await queryClient.invalidateQueries({ queryKey: inventoryKeys.tenants });
      onDone(saved);
    },
  });

  const [coolingError, setCoolingError] = useState<string | undefined>();
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(formRef, save.error);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const nameMissing = !name.trim();
    const cooling = coolingDays.trim();
    const coolingBad = cooling !== '' && !(/^\d{1,3}$/.test(cooling) && Number(cooling) <= 365);
    setLocalError(nameMissing ? 'Give the tenant a name.' : undefined);
    setCoolingError(coolingBad ? 'A whole number of days from 0 to 365.' : undefined);
    if (nameMissing || coolingBad) return;
    save.mutate();
  };
  const err = save.error;
  const defaultCooling = settings.data?.coolingDays ?? (tenant && tenant.overrides.coolingDays === null ? tenant.features.coolingDays : undefined);

  return (
    <form ref={formRef} onSubmit={onSubmit} className="space-y-5" noValidate>
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField
          label="Name"
          name="name"
          required
          maxLength={120}
          autoComplete="off"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={localError ?? fieldError(err, 'name', conflictFields)}
          className="sm:col-span-2"
          data-autofocus
        />
        <TextField
          label="Microsoft tenant id"
          name="microsoftTenantId"
          autoComplete="off"
          spellCheck={false}
          placeholder="00000000-0000-0000-0000-000000000000"
          hint="The customer's Entra ID directory id (a GUID)."
          value={microsoftTenantId}
          onChange={(e) => setMicrosoftTenantId(e.target.value)}
          error={fieldError(err, 'microsoftTenantId', conflictFields)}
          className="sm:col-span-2"
        />
        <TextField
          label="Primary domain"
          name="primaryDomain"
          autoComplete="off"
          spellCheck={false}
          placeholder="contoso.com"
          value={primaryDomain}
          onChange={(e) => setPrimaryDomain(e.target.value)}
          error={fieldError(err, 'primaryDomain')}
        />
        <TextField
          label="Default country"
          name="defaultCountry"
          autoComplete="off"
          maxLength={2}
          placeholder="US"
          hint="Two letters; numbers without +country code are read as this country."
          value={defaultCountry}
          onChange={(e) => setDefaultCountry(e.target.value.toUpperCase())}
          error={fieldError(err, 'defaultCountry')}
        />
        <TextField
          label="Time zone"
          name="timeZone"
          autoComplete="off"
          spellCheck={false}
          maxLength={64}
          placeholder="Europe/London"
          hint="IANA name, e.g. Europe/London or America/New_York: scheduled changes are chosen and shown in it. Empty: the server's zone."
          value={timeZone}
          onChange={(e) => setTimeZone(e.target.value)}
          error={fieldError(err, 'timeZone')}
        />
        <TextField
          label="ConnectWise company id"
          name="connectwiseCompanyId"
          autoComplete="off"
          value={connectwiseCompanyId}
          onChange={(e) => setConnectwiseCompanyId(e.target.value)}
          error={fieldError(err, 'connectwiseCompanyId')}
          className="sm:col-span-2"
        />
        <TextAreaField label="Notes" name="notes" rows={3} maxLength={5000} value={notes} onChange={(e) => setNotes(e.target.value)} error={fieldError(err, 'notes')} className="sm:col-span-2" />
      </div>

      <fieldset className="space-y-3">
        <legend className="text-sm font-semibold text-zinc-900">Features</legend>
        <p className="text-xs text-zinc-600">Follow the global default, or turn a feature on or off for this tenant only.</p>
        <div className="grid gap-4 sm:grid-cols-2">
          {flags.map((flag) => {
            const def = defaultOf(flag, settings.data, tenant);
            return (
              <SelectField
                key={flag.key}
                label={flag.label}
                name={flag.key}
                hint={flag.hint}
                value={choices[flag.key]}
                onChange={(e) => setChoices({ ...choices, [flag.key]: e.target.value as FlagChoice })}
                error={fieldError(err, `overrides.${flag.key}`)}
              >
                <option value="">{def === undefined ? 'Default' : `Default (${def ? 'on' : 'off'})`}</option>
                <option value="on">On</option>
                <option value="off">Off</option>
              </SelectField>
            );
          })}
          <TextField
            label="Cooling days"
            name="coolingDays"
            type="number"
            inputMode="numeric"
            min={0}
            max={365}
            placeholder={defaultCooling === undefined ? 'Default' : `Default (${defaultCooling})`}
            hint="Days a released number rests before it is available again. Empty follows the default."
            value={coolingDays}
            onChange={(e) => setCoolingDays(e.target.value)}
            error={coolingError ?? fieldError(err, 'overrides.coolingDays')}
          />
        </div>
      </fieldset>

      <ErrorAlert error={save.error} fieldsShown />
      <div className="flex justify-end gap-2">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" busy={save.isPending}>
          {tenant ? 'Save tenant' : 'Create tenant'}
        </Button>
      </div>
    </form>
  );
}

export function TenantFormDialog({ open, tenant, onClose, onSaved }: { open: boolean; tenant?: TenantDto | undefined; onClose: () => void; onSaved?: (saved: TenantDto) => void }) {
  return (
    <Dialog open={open} onClose={onClose} wide title={tenant ? `Edit ${tenant.name}` : 'Add a tenant'} description={tenant ? undefined : 'A customer whose numbers, Teams and 3CX you look after.'}>
      <TenantForm
        tenant={tenant}
        onCancel={onClose}
        onDone={(saved) => {
          onClose();
          onSaved?.(saved);
        }}
      />
    </Dialog>
  );
}
