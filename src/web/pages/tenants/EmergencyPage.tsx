import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useId, useRef, useState, type FormEvent } from 'react';
import {
  addressLine,
  emergencyApi,
  emergencyKeys,
  emergencyLocationsQuery,
  emergencyReportQuery,
  locationDefaultsQuery,
  type EmergencyIssueDto,
  type EmergencyListDto,
  type EmergencyLocationDto,
  type NewAddressInput,
} from '../../api/emergency.ts';
import type { BulkJobDto } from '../../api/bulk.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Badge, type Tone } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { CsvColumnsHelp } from '../../components/CsvColumnsHelp.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { ChoiceField, TextField, type Choice } from '../../components/Field.tsx';
import { FileDropZone } from '../../components/FileDropZone.tsx';
import { Section } from '../../components/Section.tsx';
import { Table, Td, Th } from '../../components/Table.tsx';
import { fieldError } from '../../lib/errors.ts';
import { useFocusFirstInvalid } from '../../lib/focus.ts';
import { formatDateTime } from '../../lib/format.ts';
import { formatCount, plural } from '../../lib/inventory.ts';
import { useTenant } from './tenant-context.ts';

const sourceLabels: Record<EmergencyLocationDto['source'], { label: string; tone: Tone }> = {
  powershell: { label: 'Teams (PowerShell)', tone: 'blue' },
  csv: { label: 'CSV import', tone: 'neutral' },
  ucr: { label: 'Created in UCR', tone: 'violet' },
};

const importColumns = [
  ['LocationId', 'Required: the Teams location id.'],
  ['CivicAddressId', 'The address the location belongs to (also AddressId).'],
  ['Location', 'The place at the address, e.g. Floor 2 (also Place); empty for the address itself.'],
  ['CompanyName', 'The company at the address.'],
  ['Description', 'The address’s name, e.g. Seattle HQ (also Name).'],
  ['HouseNumber, StreetName', 'Street number and street (also Street).'],
  ['City, StateOrProvince, PostalCode', 'Also State, Province, Zip, Postcode.'],
  ['CountryOrRegion', 'Two-letter country code (also Country).'],
] as const;

/** The choices of a location select: every location, by its label. */
function locationChoices(list: EmergencyLocationDto[]): Choice[] {
  return list.map((l) => ({ value: l.locationId, label: l.label }));
}

function LocationsTable({ list }: { list: EmergencyLocationDto[] }) {
  return (
    <Table caption="Emergency locations">
      <thead>
        <tr>
          <Th>Location</Th>
          <Th>Address</Th>
          <Th>Country</Th>
          <Th>Location id</Th>
          <Th>Source</Th>
          <Th>Last refreshed</Th>
        </tr>
      </thead>
      <tbody className="bg-white">
        {list.map((l) => (
          <tr key={l.locationId} data-testid="emergency-location-row">
            <Td>
              <span className="font-medium text-zinc-900">{l.description || l.companyName || l.label}</span>
              <span className="block text-xs text-zinc-600">{l.place || (l.isDefault ? 'The address itself' : '—')}</span>
            </Td>
            <Td>{addressLine(l) || <span className="text-zinc-400">—</span>}</Td>
            <Td>{l.countryOrRegion || <span className="text-zinc-400">—</span>}</Td>
            <Td className="font-mono text-xs break-all">{l.locationId}</Td>
            <Td>
              <Badge tone={sourceLabels[l.source].tone}>{sourceLabels[l.source].label}</Badge>
            </Td>
            <Td className="whitespace-nowrap">{formatDateTime(l.refreshedAt)}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

/** Without the bridge: where the CSV comes from, and the import itself. */
function CsvImport({ tenantId }: { tenantId: string }) {
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const upload = useMutation({
    mutationFn: (chosen: File) => emergencyApi.importCsv(tenantId, chosen),
    onSuccess: async (answer) => {
      queryClient.setQueryData(emergencyKeys.locations(tenantId), { locations: answer.locations, lastRefresh: answer.lastRefresh, powershellBridge: answer.powershellBridge } satisfies EmergencyListDto);
      await queryClient.invalidateQueries({ queryKey: emergencyKeys.all(tenantId) });
    },
  });
  return (
    <div className="space-y-3">
      <FileDropZone
        hint="The CSV exported from the Teams admin center, or Get-CsOnlineLisLocation | Export-Csv. Comma- or semicolon-separated, with a header row."
        file={file}
        disabled={upload.isPending}
        onFile={(chosen) => {
          setFile(chosen);
          upload.mutate(chosen);
        }}
      />
      {upload.isPending ? <p className="text-sm text-zinc-600">Importing…</p> : null}
      {upload.data ? <Notice>{`Imported ${plural(upload.data.imported, 'location')}; the tenant now has ${plural(upload.data.locations.length, 'location')}.`}</Notice> : null}
      <ErrorAlert error={upload.error} />
      <details className="rounded-md border border-zinc-200 px-3 py-2">
        <summary className="cursor-pointer text-sm font-medium text-blue-700">Accepted columns</summary>
        <div className="mt-3">
          <CsvColumnsHelp description="Header case, spaces and underscores are ignored. An import adds new locations and updates known ones." columns={importColumns} />
        </div>
      </details>
    </div>
  );
}

type AddMode = 'place' | 'address';

/** Creates a place at a known address, or a new address (with an optional place), in Teams through the bridge. */
function AddLocationForm({ tenantId, list, onDone }: { tenantId: string; list: EmergencyLocationDto[]; onDone: (message: string) => void }) {
  const queryClient = useQueryClient();
  const addresses = [...new Map(list.map((l) => [l.civicAddressId, l])).values()];
  const [mode, setMode] = useState<AddMode>(addresses.length ? 'place' : 'address');
  const [civicAddressId, setCivicAddressId] = useState(addresses[0]?.civicAddressId ?? '');
  const [fields, setFields] = useState<Record<keyof NewAddressInput, string>>({ companyName: '', countryOrRegion: '', description: '', houseNumber: '', streetName: '', city: '', stateOrProvince: '', postalCode: '', place: '' });
  const [missing, setMissing] = useState<Record<string, string>>({});
  const radioName = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const save = useMutation({
    mutationFn: async (): Promise<string> => {
      if (mode === 'place') {
        const created = await emergencyApi.createPlace(tenantId, { civicAddressId, place: fields.place.trim() });
        return `Created ${created.label} in Teams.`;
      }
      const body = Object.fromEntries(Object.entries(fields).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, v.trim()])) as NewAddressInput;
      const created = await emergencyApi.createAddress(tenantId, body);
      return `Created the address in Teams with ${plural(created.locations.length, 'location')}.`;
    },
    onSuccess: async (message) => {
      await queryClient.invalidateQueries({ queryKey: emergencyKeys.all(tenantId) });
      onDone(message);
    },
  });
  useFocusFirstInvalid(formRef, save.error ?? (Object.keys(missing).length ? missing : null));
  const set = (key: keyof NewAddressInput) => (e: { target: { value: string } }) => setFields({ ...fields, [key]: e.target.value });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (mode === 'place') {
      if (!civicAddressId) problems.civicAddressId = 'Choose the address.';
      if (!fields.place.trim()) problems.place = 'Name the place, e.g. Floor 2.';
    } else {
      if (!fields.companyName.trim()) problems.companyName = 'Give the company name.';
      if (!/^[A-Za-z]{2}$/.test(fields.countryOrRegion.trim())) problems.countryOrRegion = 'A two-letter country code, e.g. US.';
    }
    setMissing(problems);
    if (Object.keys(problems).length === 0) save.mutate();
  };
  const err = save.error;
  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="space-y-4">
      <fieldset className="flex flex-wrap gap-x-5 gap-y-1 text-sm">
        <legend className="mb-1 text-sm font-medium text-zinc-800">Add</legend>
        {addresses.length ? (
          <label className="flex items-center gap-1.5">
            <input type="radio" name={radioName} checked={mode === 'place'} onChange={() => setMode('place')} className="accent-blue-700" />
            A place at an address Teams has
          </label>
        ) : null}
        <label className="flex items-center gap-1.5">
          <input type="radio" name={radioName} checked={mode === 'address'} onChange={() => setMode('address')} className="accent-blue-700" />A new address
        </label>
      </fieldset>
      {mode === 'place' ? (
        <ChoiceField
          label="Address"
          value={civicAddressId}
          onChange={(e) => setCivicAddressId(e.target.value)}
          choices={addresses.map((a) => ({ value: a.civicAddressId, label: [a.description || a.companyName, addressLine(a)].filter(Boolean).join(' — ') }))}
          error={missing.civicAddressId ?? fieldError(err, 'civicAddressId')}
        />
      ) : (
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField label="Company name" required maxLength={200} value={fields.companyName} onChange={set('companyName')} error={missing.companyName ?? fieldError(err, 'companyName')} data-autofocus />
          <TextField label="Name of the address" hint="Optional, e.g. Seattle HQ." maxLength={200} value={fields.description} onChange={set('description')} error={fieldError(err, 'description')} />
          <TextField label="House number" maxLength={10} value={fields.houseNumber} onChange={set('houseNumber')} error={fieldError(err, 'houseNumber')} />
          <TextField label="Street" maxLength={100} value={fields.streetName} onChange={set('streetName')} error={fieldError(err, 'streetName')} />
          <TextField label="City" maxLength={100} value={fields.city} onChange={set('city')} error={fieldError(err, 'city')} />
          <TextField label="State or province" maxLength={100} value={fields.stateOrProvince} onChange={set('stateOrProvince')} error={fieldError(err, 'stateOrProvince')} />
          <TextField label="Postal code" maxLength={20} value={fields.postalCode} onChange={set('postalCode')} error={fieldError(err, 'postalCode')} />
          <TextField label="Country" required hint="Two-letter code, e.g. US." maxLength={2} value={fields.countryOrRegion} onChange={set('countryOrRegion')} error={missing.countryOrRegion ?? fieldError(err, 'countryOrRegion')} />
        </div>
      )}
      <TextField
        label={mode === 'place' ? 'Place' : 'Place (optional)'}
        hint={mode === 'place' ? 'e.g. Floor 2, Reception.' : 'A place at the new address, created as its own location.'}
        maxLength={100}
        value={fields.place}
        onChange={set('place')}
        error={missing.place ?? fieldError(err, 'place')}
      />
      <ErrorAlert error={err} fieldsShown />
      <div className="flex justify-end gap-2">
        <Button onClick={() => onDone('')}>Cancel</Button>
        <Button type="submit" variant="primary" busy={save.isPending}>
          Create in Teams
        </Button>
      </div>
    </form>
  );
}

function LocationsSection({ tenantId, canWrite }: { tenantId: string; canWrite: boolean }) {
  const queryClient = useQueryClient();
  const locations = useQuery(emergencyLocationsQuery(tenantId));
  const [adding, setAdding] = useState(false);
  const [message, setMessage] = useState('');
  const refresh = useMutation({
    mutationFn: () => emergencyApi.refresh(tenantId),
    onSuccess: async (answer) => {
      queryClient.setQueryData(emergencyKeys.locations(tenantId), answer);
      await queryClient.invalidateQueries({ queryKey: emergencyKeys.all(tenantId) });
      setMessage(`Read ${plural(answer.locations.length, 'location')} from Teams.`);
    },
  });
  const data = locations.data;
  const bridge = data?.powershellBridge === true;
  const last = data?.lastRefresh;
  return (
    <Section
      title="Emergency locations"
      description={last ? `Last refreshed ${formatDateTime(last.at)} from ${sourceLabels[last.source].label}.` : 'The addresses and places Teams sends with an emergency call.'}
      actions={
        canWrite && bridge ? (
          <div className="flex gap-2">
            <Button
              busy={refresh.isPending}
              onClick={() => {
                setMessage('');
                refresh.mutate();
              }}
            >
              Refresh from Teams
            </Button>
            <Button
              variant="primary"
              onClick={() => {
                setMessage('');
                setAdding(true);
              }}
            >
              Add location
            </Button>
          </div>
        ) : null
      }
    >
      <div className="space-y-4">
        <ErrorAlert error={locations.error} />
        <ErrorAlert error={refresh.error} />
        {message ? <Notice>{message}</Notice> : null}
        {data && !bridge ? (
          <Notice tone="info">
            The PowerShell bridge is not set up for this tenant, so UCR cannot read or create emergency locations in Teams (Graph offers no way to list them). Import them instead from a CSV exported from the Teams admin center (Locations › Emergency addresses › Export).
          </Notice>
        ) : null}
        {locations.isPending ? <p className="text-sm text-zinc-600">Loading…</p> : null}
        {data && data.locations.length === 0 ? <p className="text-sm text-zinc-600">No emergency locations in UCR yet.</p> : null}
        {data && data.locations.length > 0 ? <LocationsTable list={data.locations} /> : null}
        {data && !bridge && canWrite ? <CsvImport tenantId={tenantId} /> : null}
      </div>
      <Dialog open={adding} onClose={() => setAdding(false)} title="Add an emergency location" description="Created in Teams through the PowerShell bridge." wide>
        <AddLocationForm
          tenantId={tenantId}
          list={data?.locations ?? []}
          onDone={(done) => {
            setAdding(false);
            setMessage(done);
          }}
        />
      </Dialog>
    </Section>
  );
}

/** One site's or range's default, saved as soon as it is chosen. */
function DefaultSelect({ tenantId, kind, id, name, value, choices, empty, canWrite }: { tenantId: string; kind: 'sites' | 'ranges'; id: string; name: string; value: string | null; choices: Choice[]; empty: string; canWrite: boolean }) {
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: (locationId: string | null) => emergencyApi.setDefault(tenantId, kind, id, locationId),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: emergencyKeys.all(tenantId) });
    },
  });
  const known = value === null || choices.some((c) => c.value === value);
  return (
    <div>
      <ChoiceField
        label={name}
        value={value ?? ''}
        disabled={!canWrite || save.isPending}
        onChange={(e) => save.mutate(e.target.value || null)}
        empty={empty}
        choices={known ? choices : [{ value: value, label: `Not in the list (${value})` }, ...choices]}
        hint={save.isSuccess ? 'Saved.' : undefined}
      />
      <ErrorAlert error={save.error} className="mt-1" />
    </div>
  );
}

function DefaultsSection({ tenantId, canWrite }: { tenantId: string; canWrite: boolean }) {
  const defaults = useQuery(locationDefaultsQuery(tenantId));
  const locations = useQuery(emergencyLocationsQuery(tenantId));
  const choices = locationChoices(locations.data?.locations ?? []);
  const siteName = new Map((defaults.data?.sites ?? []).map((s) => [s.id, s.name]));
  return (
    <Section title="Default locations" description="An assignment that names no location takes the number’s own, else its range’s default, then its site’s.">
      <ErrorAlert error={defaults.error} />
      {defaults.isPending ? <p className="text-sm text-zinc-600">Loading…</p> : null}
      {defaults.data ? (
        <div className="grid gap-6 md:grid-cols-2">
          <div className="space-y-3">
            <h3 className="text-sm font-semibold text-zinc-900">Sites</h3>
            {defaults.data.sites.length === 0 ? <p className="text-sm text-zinc-600">No sites yet.</p> : null}
            {defaults.data.sites.map((s) => (
              <DefaultSelect key={s.id} tenantId={tenantId} kind="sites" id={s.id} name={s.name} value={s.defaultLocationId} choices={choices} empty="None" canWrite={canWrite} />
            ))}
          </div>
          <div className="space-y-3">
            <h3 className="text-sm font-semibold text-zinc-900">Ranges</h3>
            {defaults.data.ranges.length === 0 ? <p className="text-sm text-zinc-600">No ranges yet.</p> : null}
            {defaults.data.ranges.map((r) => (
              <DefaultSelect
                key={r.id}
                tenantId={tenantId}
                kind="ranges"
                id={r.id}
                name={r.name}
                value={r.defaultLocationId}
                choices={choices}
                empty={r.siteId && siteName.has(r.siteId) ? `None (the site’s: ${siteName.get(r.siteId)!})` : 'None'}
                canWrite={canWrite}
              />
            ))}
          </div>
        </div>
      ) : null}
    </Section>
  );
}

const FIRST_ROWS = 10;

/** The first rows of a long list, and a button for the rest, so the next list stays in view. */
function IssueTable({ caption, issues }: { caption: string; issues: EmergencyIssueDto[] }) {
  const [all, setAll] = useState(false);
  const shown = all ? issues : issues.slice(0, FIRST_ROWS);
  return (
    <div className="space-y-2">
    <Table caption={caption}>
      <thead>
        <tr>
          <Th>Number</Th>
          <Th>Assigned to</Th>
          <Th>Location now</Th>
          <Th>Default</Th>
        </tr>
      </thead>
      <tbody className="bg-white">
        {shown.map((i) => (
          <tr key={i.numberId} data-testid="emergency-issue-row">
            <Td className="font-mono whitespace-nowrap">{i.e164}</Td>
            <Td>{i.assignee ?? <span className="text-zinc-400">—</span>}</Td>
            <Td>{i.locationId ? (i.locationLabel ?? i.locationId) : <span className="text-zinc-400">None</span>}</Td>
            <Td>
              {i.defaultLocationId ? (
                <>
                  {i.defaultLabel ?? i.defaultLocationId} <span className="text-xs text-zinc-600">({i.defaultFrom === 'range' ? 'range' : 'site'})</span>
                </>
              ) : (
                <span className="text-amber-900">No default: set one above</span>
              )}
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
    {issues.length > shown.length ? (
      <Button size="sm" onClick={() => setAll(true)}>
        {`Show all ${formatCount(issues.length)}`}
      </Button>
    ) : null}
    </div>
  );
}

function ReportSection({ tenantId, canWrite }: { tenantId: string; canWrite: boolean }) {
  const queryClient = useQueryClient();
  const report = useQuery(emergencyReportQuery(tenantId));
  const [job, setJob] = useState<BulkJobDto | null>(null);
  const read = useMutation({
    mutationFn: () => emergencyApi.readFromTeams(tenantId),
    onSuccess: (answer) => queryClient.setQueryData(emergencyKeys.report(tenantId), answer),
  });
  const fix = useMutation({
    mutationFn: () => emergencyApi.fix(tenantId),
    onSuccess: async (answer) => {
      setJob(answer.job);
      await queryClient.invalidateQueries({ queryKey: emergencyKeys.report(tenantId) });
    },
  });
  const data = report.data;
  const missing = data?.issues.filter((i) => i.problem === 'missing') ?? [];
  const differs = data?.issues.filter((i) => i.problem === 'differs') ?? [];
  return (
    <Section
      title="Report"
      description={data ? `${plural(data.assignedNumbers, 'number')} assigned in Teams: ${formatCount(data.missing)} without a location, ${formatCount(data.differs)} different from their default.` : 'Numbers assigned without a location, and numbers whose location differs from their default.'}
      actions={
        canWrite ? (
          <div className="flex gap-2">
            <Button busy={read.isPending} onClick={() => read.mutate()}>
              Read locations from Teams
            </Button>
            {data && data.fixable > 0 ? (
              <Button
                variant="primary"
                busy={fix.isPending}
                onClick={() => {
                  setJob(null);
                  fix.mutate();
                }}
              >
                {`Fix all (${formatCount(data.fixable)})`}
              </Button>
            ) : null}
          </div>
        ) : null
      }
    >
      <div className="space-y-5">
        <ErrorAlert error={report.error} />
        <ErrorAlert error={read.error} />
        <ErrorAlert error={fix.error} />
        {read.data ? <Notice>{`Read every number’s location from Teams: ${plural(read.data.changed, 'number')} changed in the inventory.`}</Notice> : null}
        {job ? (
          <Notice>
            {'Fix started as a bulk job. '}
            <Link to="/tenants/$tenantId/bulk" params={{ tenantId }} search={{ job: job.id }} className="font-medium underline">
              Follow it on the Bulk page
            </Link>
          </Notice>
        ) : null}
        {fix.data && !fix.data.job ? <Notice tone="info">Nothing to fix: every number the fix could change already has its default.</Notice> : null}
        {report.isPending ? <p className="text-sm text-zinc-600">Loading…</p> : null}
        {data && data.fixable < data.issues.length ? <p className="text-sm text-zinc-600">{`Not fixable in one click, as neither their range nor their site has a default location: ${plural(data.issues.length - data.fixable, 'number')}.`}</p> : null}
        {data ? (
          <div className="space-y-2">
            <h3 className="text-sm font-semibold text-zinc-900">{`Assigned without a location (${formatCount(missing.length)})`}</h3>
            {missing.length ? <IssueTable caption="Numbers assigned without a location" issues={missing} /> : <p className="text-sm text-zinc-600">None.</p>}
          </div>
        ) : null}
        {data ? (
          <div className="space-y-2">
            <h3 className="text-sm font-semibold text-zinc-900">{`Different from the default (${formatCount(differs.length)})`}</h3>
            {differs.length ? <IssueTable caption="Numbers whose location differs from their default" issues={differs} /> : <p className="text-sm text-zinc-600">None.</p>}
          </div>
        ) : null}
      </div>
    </Section>
  );
}

/** The tenant's Teams emergency locations, the sites' and ranges' defaults, and the report with its fix. */
export function EmergencyPage() {
  const { tenant, canWrite } = useTenant();
  return (
    <div className="space-y-6">
      <LocationsSection tenantId={tenant.id} canWrite={canWrite} />
      <DefaultsSection tenantId={tenant.id} canWrite={canWrite} />
      <ReportSection tenantId={tenant.id} canWrite={canWrite} />
    </div>
  );
}
