import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import {
  boardStatusesQuery,
  connectWiseApi,
  connectWiseChoicesQuery,
  connectWiseConnectionQuery,
  connectWiseKeys,
  type ConnectWiseChoicesDto,
  type ConnectWiseConnectionDto,
  type ConnectWiseDefaultsDto,
} from '../../api/connectwise.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { CheckboxField, SelectField, TextField } from '../../components/Field.tsx';
import { fieldError } from '../../lib/errors.ts';
import { useRole } from '../../lib/role.ts';
import { useTenant } from '../tenants/tenant-context.ts';
import { ConnectionCard, ConnectionFormActions, useConnectionForm } from '../../components/ConnectionCard.tsx';
import { DeleteConnectionButton } from '../../components/DeleteConnectionButton.tsx';
import { SecretField } from '../../components/SecretField.tsx';
import { notSet, SummaryItem } from './SummaryItem.tsx';

const billableLabels: Record<NonNullable<ConnectWiseDefaultsDto['billableOption']>, string> = { Billable: 'Billable', DoNotBill: 'Do not bill', NoCharge: 'No charge', NoDefault: 'No default' };
const noteFlagLabels: Record<keyof ConnectWiseDefaultsDto['noteFlags'], string> = {
  detailDescriptionFlag: 'Discussion (the customer can see it)',
  internalAnalysisFlag: 'Internal analysis',
  resolutionFlag: 'Resolution',
};


const nameOf = (list: Array<{ id: number; name: string }> | undefined, id: number | null) => (id === null ? null : (list?.find((x) => x.id === id)?.name ?? `#${id}`));

function Summary({ tenantId, connection, choices }: { tenantId: string; connection: ConnectWiseConnectionDto; choices: ConnectWiseChoicesDto | undefined }) {
  const d = connection.defaults;
  const statusLists = useQueries({ queries: connection.configured && d.statusAfterChangeId ? d.boardIds.map((boardId) => boardStatusesQuery(tenantId, boardId)) : [] });
  const status = statusLists.flatMap((q) => q.data ?? []).find((s) => s.id === d.statusAfterChangeId);
  const flags = (Object.keys(noteFlagLabels) as Array<keyof typeof noteFlagLabels>).filter((f) => d.noteFlags[f]);
  return (
    <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" data-testid="connectwise-summary">
      <SummaryItem label="State">{connection.configured ? <Badge tone="green">Set up</Badge> : <Badge tone="amber">Not set up</Badge>}</SummaryItem>
      <SummaryItem label="Site">{connection.site ?? notSet}</SummaryItem>
      <SummaryItem label="Company id">{connection.companyId ?? notSet}</SummaryItem>
      <SummaryItem label="Public key">{connection.publicKey ? <span className="font-mono text-xs">{connection.publicKey}</span> : notSet}</SummaryItem>
      <SummaryItem label="Private key">{connection.privateKeySet ? <Badge tone="green">Saved</Badge> : notSet}</SummaryItem>
      <SummaryItem label="Client id">{connection.clientId ? <span className="font-mono text-xs">{connection.clientId}</span> : notSet}</SummaryItem>
      {connection.baseUrl ? <SummaryItem label="API address">{connection.baseUrl}</SummaryItem> : null}
      {connection.configured ? (
        <>
          <SummaryItem label="Boards">{d.boardIds.length ? d.boardIds.map((id) => nameOf(choices?.boards, id)).join(', ') : 'All boards'}</SummaryItem>
          <SummaryItem label="Status after a change">{d.statusAfterChangeId ? (status?.name ?? `#${d.statusAfterChangeId}`) : 'Left as it is'}</SummaryItem>
          <SummaryItem label="Work role">{nameOf(choices?.workRoles, d.workRoleId) ?? "The member's default"}</SummaryItem>
          <SummaryItem label="Work type">{nameOf(choices?.workTypes, d.workTypeId) ?? "The member's default"}</SummaryItem>
          <SummaryItem label="Note visible as">{flags.map((f) => noteFlagLabels[f]).join(', ')}</SummaryItem>
          <SummaryItem label="Billable">{d.billableOption ? billableLabels[d.billableOption] : "ConnectWise's default"}</SummaryItem>
          <SummaryItem label="Minutes to log">{d.defaultMinutes ? `${d.defaultMinutes} min` : 'The time the change took'}</SummaryItem>
        </>
      ) : null}
    </dl>
  );
}

/** Site, company id, keys and client id; the private key is write-only. */
function KeysForm({ tenantId, connection, onDone }: { tenantId: string; connection: ConnectWiseConnectionDto; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [site, setSite] = useState(connection.site ?? '');
  const [companyId, setCompanyId] = useState(connection.companyId ?? '');
  const [publicKey, setPublicKey] = useState(connection.publicKey ?? '');
  const [privateKey, setPrivateKey] = useState('');
  const [clientId, setClientId] = useState(connection.clientId ?? '');
  const [baseUrl, setBaseUrl] = useState(connection.baseUrl ?? '');
  const save = useMutation({
    mutationFn: () =>
      connectWiseApi.save(tenantId, {
        site: site.trim(),
        companyId: companyId.trim(),
        publicKey: publicKey.trim(),
        clientId: clientId.trim(),
        ...(privateKey ? { privateKey } : {}),
        ...(baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {}),
      }),
    onSuccess: (saved) => {
      queryClient.setQueryData(connectWiseKeys.connection(tenantId), saved);
      void queryClient.invalidateQueries({ queryKey: ['connectwise', tenantId] });
      onDone();
    },
  });
  const checkInput = () => {
    const problems: Record<string, string> = {};
    if (site.trim().length < 3) problems.site = 'Enter the Manage site, e.g. api-na.myconnectwise.net.';
    if (!companyId.trim()) problems.companyId = 'Enter the company id you sign in to Manage with.';
    if (!publicKey.trim()) problems.publicKey = "Enter the API member's public key.";
    if (!privateKey && !connection.privateKeySet) problems.privateKey = "Enter the API member's private key.";
    if (!clientId.trim()) problems.clientId = 'Enter the clientId from the ConnectWise Developer Network.';
    return problems;
  };
  const { formRef, problems: local, onSubmit } = useConnectionForm(checkInput, () => save.mutate(), save.error);
  const err = save.error;
  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="space-y-4 rounded-md border border-zinc-200 p-4" aria-label="ConnectWise API keys">
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField label="Site" name="site" autoComplete="off" spellCheck={false} placeholder="api-na.myconnectwise.net" hint="The Manage server, without https://." value={site} onChange={(e) => setSite(e.target.value)} error={local.site ?? fieldError(err, 'site')} data-autofocus />
        <TextField label="Company id" name="companyId" autoComplete="off" spellCheck={false} hint="What you type as Company when signing in to Manage." value={companyId} onChange={(e) => setCompanyId(e.target.value)} error={local.companyId ?? fieldError(err, 'companyId')} />
        <TextField label="Public key" name="publicKey" autoComplete="off" spellCheck={false} value={publicKey} onChange={(e) => setPublicKey(e.target.value)} error={local.publicKey ?? fieldError(err, 'publicKey')} />
        <SecretField label="Private key" name="privateKey" isSet={connection.privateKeySet} value={privateKey} onChange={setPrivateKey} error={local.privateKey ?? fieldError(err, 'privateKey')} />
        <TextField label="Client id" name="clientId" autoComplete="off" spellCheck={false} hint="The integration's clientId (a GUID) from the ConnectWise Developer Network." value={clientId} onChange={(e) => setClientId(e.target.value)} error={local.clientId ?? fieldError(err, 'clientId')} />
        <TextField label="API address (optional)" name="baseUrl" type="url" autoComplete="off" spellCheck={false} placeholder="https://site/v4_6_release/apis/3.0" hint="Only for a site reached at another address than the usual one." value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} error={fieldError(err, 'baseUrl')} />
      </div>
      <ConnectionFormActions error={err} busy={save.isPending} onCancel={onDone} />
    </form>
  );
}

/** The ticket defaults (B4), each chosen from what ConnectWise lists as active and valid. */
function DefaultsForm({ tenantId, connection, choices, onDone }: { tenantId: string; connection: ConnectWiseConnectionDto; choices: ConnectWiseChoicesDto; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [d, setD] = useState<ConnectWiseDefaultsDto>(connection.defaults);
  const [flagsError, setFlagsError] = useState<string | undefined>();
  const [minutes, setMinutes] = useState(connection.defaults.defaultMinutes ? String(connection.defaults.defaultMinutes) : '');
  const [minutesError, setMinutesError] = useState<string | undefined>();
  const statusLists = useQueries({ queries: d.boardIds.map((boardId) => boardStatusesQuery(tenantId, boardId)) });
  const statusOptions = d.boardIds.flatMap((boardId, i) => (statusLists[i]?.data ?? []).map((s) => ({ ...s, boardId, board: nameOf(choices.boards, boardId) })));
  const save = useMutation({
    mutationFn: (defaults: ConnectWiseDefaultsDto) =>
      connectWiseApi.save(tenantId, { site: connection.site!, companyId: connection.companyId!, publicKey: connection.publicKey!, clientId: connection.clientId!, ...(connection.baseUrl ? { baseUrl: connection.baseUrl } : {}), defaults }),
    onSuccess: (saved) => {
      queryClient.setQueryData(connectWiseKeys.connection(tenantId), saved);
      onDone();
    },
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const f = d.noteFlags;
    const noPlace = !f.detailDescriptionFlag && !f.internalAnalysisFlag && !f.resolutionFlag;
    setFlagsError(noPlace ? 'Choose at least one place for the note.' : undefined);
    // Empty: log the time the change took. Otherwise whole minutes, at most a day (what the API accepts).
    const typed = minutes.trim();
    const defaultMinutes = typed ? Number(typed) : null;
    const badMinutes = defaultMinutes !== null && (!Number.isInteger(defaultMinutes) || defaultMinutes < 1 || defaultMinutes > 1440);
    setMinutesError(badMinutes ? 'Enter whole minutes from 1 to 1440, or leave it empty to log the time the change took.' : undefined);
    if (noPlace || badMinutes) return;
    save.mutate({ ...d, defaultMinutes });
  };
  const toggleBoard = (id: number, on: boolean) => {
    const boardIds = on ? [...d.boardIds, id] : d.boardIds.filter((b) => b !== id);
    // A status belongs to one board: it goes when its board does.
    const statusGoes = !on && statusOptions.some((s) => s.id === d.statusAfterChangeId && s.boardId === id);
    setD({ ...d, boardIds, statusAfterChangeId: statusGoes ? null : d.statusAfterChangeId });
  };
  const numberOrNull = (v: string) => (v ? Number(v) : null);
  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4 rounded-md border border-zinc-200 p-4" aria-label="Ticket defaults">
      <fieldset className="space-y-1">
        <legend className="text-sm font-medium text-zinc-800">Boards searched for tickets</legend>
        <p className="text-xs text-zinc-600">None ticked: all boards.</p>
        <div className="flex flex-wrap gap-x-5 gap-y-1">
          {choices.boards.map((b) => (
            <CheckboxField key={b.id} label={b.name} checked={d.boardIds.includes(b.id)} onChange={(e) => toggleBoard(b.id, e.target.checked)} />
          ))}
        </div>
      </fieldset>
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField
          label="Status after a change"
          name="statusAfterChangeId"
          hint={d.boardIds.length ? 'Only statuses that are open, active and allow time entries.' : 'Tick a board first: statuses belong to a board.'}
          value={d.statusAfterChangeId ?? ''}
          onChange={(e) => setD({ ...d, statusAfterChangeId: numberOrNull(e.target.value) })}
          disabled={!d.boardIds.length}
        >
          <option value="">(leave the ticket's status as it is)</option>
          {statusOptions.map((s) => (
            <option key={s.id} value={s.id}>
              {d.boardIds.length > 1 ? `${s.board} › ${s.name}` : s.name}
            </option>
          ))}
        </SelectField>
        <SelectField label="Billable" name="billableOption" value={d.billableOption ?? ''} onChange={(e) => setD({ ...d, billableOption: (e.target.value || null) as ConnectWiseDefaultsDto['billableOption'] })}>
          <option value="">(ConnectWise's default for the work type)</option>
          {Object.entries(billableLabels).map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </SelectField>
        <SelectField label="Work role" name="workRoleId" hint="Left empty, ConnectWise uses the member's own default role, which fits their location." value={d.workRoleId ?? ''} onChange={(e) => setD({ ...d, workRoleId: numberOrNull(e.target.value) })}>
          <option value="">(the member's default)</option>
          {choices.workRoles.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </SelectField>
        <SelectField label="Work type" name="workTypeId" value={d.workTypeId ?? ''} onChange={(e) => setD({ ...d, workTypeId: numberOrNull(e.target.value) })}>
          <option value="">(the member's default)</option>
          {choices.workTypes.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Minutes to log"
          name="defaultMinutes"
          inputMode="numeric"
          autoComplete="off"
          placeholder="The time the change took"
          hint="Preselected on every change form; empty: the time the change took (rounded up to quarter hours)."
          value={minutes}
          onChange={(e) => setMinutes(e.target.value)}
          error={minutesError ?? fieldError(save.error, 'defaults.defaultMinutes')}
        />
      </div>
      <fieldset className="space-y-1">
        <legend className="text-sm font-medium text-zinc-800">The note goes to</legend>
        <div className="flex flex-wrap gap-x-5 gap-y-1">
          {(Object.keys(noteFlagLabels) as Array<keyof typeof noteFlagLabels>).map((flag) => (
            <CheckboxField key={flag} label={noteFlagLabels[flag]} checked={d.noteFlags[flag]} onChange={(e) => setD({ ...d, noteFlags: { ...d.noteFlags, [flag]: e.target.checked } })} />
          ))}
        </div>
        {flagsError ? (
          <p role="alert" className="text-sm text-red-700">
            {flagsError}
          </p>
        ) : null}
      </fieldset>
      <ErrorAlert error={save.error} />
      <div className="flex justify-end gap-2">
        <Button onClick={onDone}>Cancel</Button>
        <Button type="submit" variant="primary" busy={save.isPending}>
          Save defaults
        </Button>
      </div>
    </form>
  );
}

/** The tenant's ConnectWise Manage connection (B4): hidden when ConnectWise is off for the tenant. */
export function ConnectWiseConnection() {
  const { tenant, canWrite } = useTenant();
  const { isAdmin } = useRole();
  const queryClient = useQueryClient();
  const connection = useQuery(connectWiseConnectionQuery(tenant.id));
  const data = connection.data;
  const choices = useQuery(connectWiseChoicesQuery(tenant.id, Boolean(data?.configured)));
  const [editing, setEditing] = useState<'keys' | 'defaults' | null>(null);
  const test = useMutation({
    mutationFn: () => connectWiseApi.test(tenant.id),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: connectWiseKeys.connection(tenant.id) }),
  });
  const canAdmin = isAdmin && tenant.status === 'active';
  return (
    <ConnectionCard
      title="ConnectWise Manage"
      id="connectwise-connection"
      description="The API member through which changes are logged on tickets: a note, a status and a time entry."
      test={test}
      lastTest={data?.lastTest}
      testButton={{ label: 'Test ConnectWise', shown: canWrite && Boolean(data?.configured), enabled: true }}
      texts={{ testing: 'Asking ConnectWise…', ok: 'ConnectWise answers.', fail: 'ConnectWise does not work yet.' }}
      testIds={{ result: 'connectwise-test' }}
      actions={
        canAdmin && !editing ? (
          <>
            <Button
              onClick={() => {
                test.reset();
                setEditing('keys');
              }}
            >
              {data?.configured ? 'Edit keys' : 'Set up'}
            </Button>
            {data?.configured ? <Button onClick={() => setEditing('defaults')}>Edit ticket defaults</Button> : null}
            {data?.site ? (
              <DeleteConnectionButton
                system="ConnectWise"
                tenantName={tenant.name}
                remove={() => connectWiseApi.deleteConnection(tenant.id)}
                onDeleted={(empty) => {
                  test.reset();
                  queryClient.setQueryData(connectWiseKeys.connection(tenant.id), empty);
                  void queryClient.invalidateQueries({ queryKey: ['connectwise', tenant.id] });
                }}
              />
            ) : null}
          </>
        ) : null
      }
    >
      <ErrorAlert error={connection.error} />
      {connection.isPending ? <p className="text-sm text-zinc-600">Loading…</p> : null}
      {data ? <Summary tenantId={tenant.id} connection={data} choices={choices.data} /> : null}
      {data && !tenant.connectwiseCompanyId ? <Notice tone="warning">No ConnectWise company is mapped to this tenant: ticket search covers every company. Set it in the tenant's details.</Notice> : null}
      {data && editing === 'keys' ? <KeysForm tenantId={tenant.id} connection={data} onDone={() => setEditing(null)} /> : null}
      {data && editing === 'defaults' ? (
        choices.data ? (
          <DefaultsForm tenantId={tenant.id} connection={data} choices={choices.data} onDone={() => setEditing(null)} />
        ) : choices.error ? (
          <ErrorAlert error={choices.error} />
        ) : (
          <p className="text-sm text-zinc-600">Reading the boards, work roles and work types from ConnectWise…</p>
        )
      ) : null}
    </ConnectionCard>
  );
}
