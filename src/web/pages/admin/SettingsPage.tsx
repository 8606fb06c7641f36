import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api/client.ts';
import { keys, settingsQuery } from '../../api/queries.ts';
import type { SettingsDto } from '../../api/types.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { CheckboxField, TextField } from '../../components/Field.tsx';
import { PageHeader, Section } from '../../components/Section.tsx';
import { EntraSignInSettings } from './EntraSignInSettings.tsx';

const defaultFlags = [
  { key: 'teamsEnabled', label: 'Microsoft Teams', hint: 'Teams voice: users, numbers and policies.' },
  { key: 'threecxEnabled', label: '3CX', hint: '3CX users, DIDs and trunks.' },
  { key: 'connectwiseEnabled', label: 'ConnectWise', hint: 'Ticket notes and time entries after a change.' },
  { key: 'manualNumberEntry', label: 'Manual number entry', hint: 'Allow assigning a number that is not in the inventory.' },
] as const;

function SettingsForm({ settings }: { settings: SettingsDto }) {
  const queryClient = useQueryClient();
  const [mfaRequired, setMfaRequired] = useState(settings.mfaRequired);
  const [threshold, setThreshold] = useState(String(settings.lockoutThreshold));
  const [minutes, setMinutes] = useState(String(settings.lockoutMinutes));
  const [defaults, setDefaults] = useState({
    teamsEnabled: settings.teamsEnabled,
    threecxEnabled: settings.threecxEnabled,
    connectwiseEnabled: settings.connectwiseEnabled,
    manualNumberEntry: settings.manualNumberEntry,
  });
  const [coolingDays, setCoolingDays] = useState(String(settings.coolingDays));
  const [rangeLowFree, setRangeLowFree] = useState(String(settings.rangeLowFree));
  const [usersStaleMinutes, setUsersStaleMinutes] = useState(String(settings.usersStaleMinutes));
  // Empty means "keep forever".
  const [retention, setRetention] = useState(settings.auditRetentionDays === null ? '' : String(settings.auditRetentionDays));
  const save = useMutation({
    mutationFn: () =>
      api.patch<SettingsDto>('/api/settings', {
        mfaRequired,
        lockoutThreshold: Number(threshold),
        lockoutMinutes: Number(minutes),
        ...defaults,
        coolingDays: Number(coolingDays),
        rangeLowFree: Number(rangeLowFree),
        usersStaleMinutes: Number(usersStaleMinutes),
        auditRetentionDays: retention.trim() === '' ? null : Number(retention),
      }),
    onSuccess: async (saved) => {
      queryClient.setQueryData(keys.settings, saved);
      // Tenants that follow the defaults show different effective features now.
      await queryClient.invalidateQueries({ queryKey: ['tenants'] });
    },
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const err = save.error instanceof ApiError ? save.error : undefined;
  const touched = () => save.isSuccess && save.reset();

  return (
    <form onSubmit={onSubmit} className="space-y-6" noValidate>
      <Section title="Two-step verification">
        <CheckboxField
          label="Require an authenticator app for everyone"
          hint="Operators without one are asked to set it up at their next sign-in and cannot do anything else until they have."
          checked={mfaRequired}
          onChange={(e) => {
            setMfaRequired(e.target.checked);
            touched();
          }}
          error={err?.fieldMessage('mfaRequired')}
        />
      </Section>
      <Section title="Sign-in lockout" description="After this many failed attempts in a row, an account is locked for a while. Admins can unlock it early.">
        <div className="grid max-w-md gap-4 sm:grid-cols-2">
          <TextField
            label="Failed attempts before lockout"
            name="lockoutThreshold"
            type="number"
            inputMode="numeric"
            min={3}
            max={50}
            required
            hint="3 to 50"
            value={threshold}
            onChange={(e) => {
              setThreshold(e.target.value);
              touched();
            }}
            error={err?.fieldMessage('lockoutThreshold')}
          />
          <TextField
            label="Lockout length (minutes)"
            name="lockoutMinutes"
            type="number"
            inputMode="numeric"
            min={1}
            max={1440}
            required
            hint="1 to 1440"
            value={minutes}
            onChange={(e) => {
              setMinutes(e.target.value);
              touched();
            }}
            error={err?.fieldMessage('lockoutMinutes')}
          />
        </div>
      </Section>
      <Section
        title="Tenant defaults"
        id="tenant-defaults"
        description="What every tenant gets unless its own settings say otherwise. A turned-off integration hides its pages and its API answers that it is off."
      >
        <div className="space-y-4">
          {defaultFlags.map((flag) => (
            <CheckboxField
              key={flag.key}
              label={flag.label}
              hint={flag.hint}
              checked={defaults[flag.key]}
              onChange={(e) => {
                setDefaults({ ...defaults, [flag.key]: e.target.checked });
                touched();
              }}
              error={err?.fieldMessage(flag.key)}
            />
          ))}
          <TextField
            label="Cooling days"
            name="coolingDays"
            type="number"
            inputMode="numeric"
            min={0}
            max={365}
            required
            hint="0 to 365. How long a released number rests before it can be given to someone else; 0 returns it at once."
            value={coolingDays}
            onChange={(e) => {
              setCoolingDays(e.target.value);
              touched();
            }}
            error={err?.fieldMessage('coolingDays')}
            className="max-w-xs"
          />
          <TextField
            label="Range running out below (free numbers)"
            name="rangeLowFree"
            type="number"
            inputMode="numeric"
            min={0}
            max={100000}
            required
            hint="A range with fewer free numbers than this, or 90 % or more in use, is flagged on the Overview and in the Ranges running out report."
            value={rangeLowFree}
            onChange={(e) => {
              setRangeLowFree(e.target.value);
              touched();
            }}
            error={err?.fieldMessage('rangeLowFree')}
            className="max-w-xs"
          />
          <TextField
            label="Refresh Teams users older than (minutes)"
            name="usersStaleMinutes"
            type="number"
            inputMode="numeric"
            min={1}
            max={1440}
            required
            hint="Opening a tenant's Teams users reads them from Teams again in the background when the last sync is older than this. 1 to 1440."
            value={usersStaleMinutes}
            onChange={(e) => {
              setUsersStaleMinutes(e.target.value);
              touched();
            }}
            error={err?.fieldMessage('usersStaleMinutes')}
            className="max-w-xs"
          />
        </div>
      </Section>
      <Section
        title="Audit log retention"
        id="audit-retention"
        description="A daily job deletes audit events older than this and records in the log how many it removed. Leave empty to keep every event forever (the default)."
      >
        <TextField
          label="Keep audit events for (days)"
          name="auditRetentionDays"
          type="number"
          inputMode="numeric"
          min={30}
          max={3650}
          placeholder="Forever"
          hint="30 to 3650, or empty to keep forever."
          value={retention}
          onChange={(e) => {
            setRetention(e.target.value);
            touched();
          }}
          error={err?.fieldMessage('auditRetentionDays')}
          className="max-w-xs"
        />
      </Section>
      <ErrorAlert error={save.error} fieldsShown />
      {save.isSuccess ? <Notice>Settings saved.</Notice> : null}
      <Button type="submit" variant="primary" busy={save.isPending}>
        Save settings
      </Button>
    </form>
  );
}

export function SettingsPage() {
  const settings = useQuery(settingsQuery);
  return (
    <div>
      <PageHeader title="Settings" description="Security for every operator, and the defaults every tenant starts from. Changes are recorded in the audit log." />
      <ErrorAlert error={settings.error} />
      {settings.isPending ? <p className="text-sm text-zinc-600">Loading…</p> : null}
      {settings.data ? <SettingsForm settings={settings.data} /> : null}
      <div className="mt-6">
        <EntraSignInSettings />
      </div>
    </div>
  );
}
