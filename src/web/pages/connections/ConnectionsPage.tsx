import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { certificateUrl, teamsApi, teamsConnectionQuery, teamsKeys, type ConnectionCheckDto, type TeamsConnectionDto, type TeamsConnectionInput } from '../../api/teams.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { inputClass, TextField } from '../../components/Field.tsx';
import { fieldError } from '../../lib/errors.ts';
import { formatDate } from '../../lib/format.ts';
import { useRole } from '../../lib/role.ts';
import { graphPermissions } from '../../lib/teams.ts';
import { useTenant } from '../tenants/tenant-context.ts';
import { ConnectWiseConnection } from './ConnectWiseConnection.tsx';
import { ConnectionCard, ConnectionFormActions, useConnectionForm } from '../../components/ConnectionCard.tsx';
import { SecretField } from '../../components/SecretField.tsx';
import { DeleteConnectionButton } from '../../components/DeleteConnectionButton.tsx';
import { notSet, SummaryItem } from './SummaryItem.tsx';


function Summary({ tenantId, connection }: { tenantId: string; connection: TeamsConnectionDto }) {
  const cert = connection.certificate;
  const expired = cert ? new Date(cert.notAfter).getTime() < Date.now() : false;
  return (
    <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" data-testid="teams-connection-summary">
      <SummaryItem label="State">{connection.configured ? <Badge tone="green">Set up</Badge> : <Badge tone="amber">Not set up</Badge>}</SummaryItem>
      <SummaryItem label="Application (client) id">{connection.clientId ? <span className="font-mono text-xs">{connection.clientId}</span> : notSet}</SummaryItem>
      <SummaryItem label="Authentication">{connection.authMethod === 'certificate' ? 'Certificate' : connection.authMethod === 'secret' ? 'Client secret' : notSet}</SummaryItem>
      <SummaryItem label="Client secret">
        {connection.clientSecretSet ? (
          <span className="space-y-0.5">
            <Badge tone="green">Set</Badge>
            {connection.clientSecretExpiresOn ? (
              <span className={`block text-xs ${new Date(`${connection.clientSecretExpiresOn}T23:59:59Z`).getTime() < Date.now() ? 'text-red-700' : 'text-zinc-600'}`} data-testid="secret-expiry">
                Expires {formatDate(`${connection.clientSecretExpiresOn}T12:00:00Z`)}
              </span>
            ) : (
              <span className="block text-xs text-zinc-600">Expiry not entered</span>
            )}
          </span>
        ) : (
          notSet
        )}
      </SummaryItem>
      <SummaryItem label="Certificate">
        {cert ? (
          <span className="space-y-0.5">
            <span className="block font-mono text-xs break-all">{cert.thumbprint}</span>
            <span className="block text-xs text-zinc-600">{cert.subject}</span>
            <span className={`block text-xs ${expired ? 'text-red-700' : 'text-zinc-600'}`}>
              {expired ? 'Expired' : 'Valid until'} {formatDate(cert.notAfter)}
              {cert.privateKeySet ? '' : ' · no private key'}
            </span>
            <a href={certificateUrl(tenantId)} download className="block text-xs font-medium text-blue-700 underline">
              Download the certificate (.cer)
            </a>
          </span>
        ) : (
          notSet
        )}
      </SummaryItem>
      <SummaryItem label="Cloud">
        {connection.cloud === 'global' ? (
          'Microsoft global cloud'
        ) : (
          <span className="space-y-0.5">
            <span className="block">Custom endpoints</span>
            <span className="block text-xs break-all text-zinc-600">Sign-in: {connection.loginBaseUrl}</span>
            <span className="block text-xs break-all text-zinc-600">Graph: {connection.graphBaseUrl}</span>
          </span>
        )}
      </SummaryItem>
    </dl>
  );
}

function EditForm({ tenantId, connection, onDone }: { tenantId: string; connection: TeamsConnectionDto; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [clientId, setClientId] = useState(connection.clientId ?? '');
  const [authMethod, setAuthMethod] = useState<'certificate' | 'secret'>(connection.authMethod ?? 'certificate');
  const [secret, setSecret] = useState('');
  const [secretExpiresOn, setSecretExpiresOn] = useState(connection.clientSecretExpiresOn ?? '');
  const [cloud, setCloud] = useState<'global' | 'custom'>(connection.cloud);
  const [loginBaseUrl, setLoginBaseUrl] = useState(connection.cloud === 'custom' ? connection.loginBaseUrl : '');
  const [graphBaseUrl, setGraphBaseUrl] = useState(connection.cloud === 'custom' ? connection.graphBaseUrl : '');
  const radio = useId();
  const save = useMutation({
    mutationFn: (input: TeamsConnectionInput) => teamsApi.saveConnection(tenantId, input),
    onSuccess: (saved) => {
      queryClient.setQueryData(teamsKeys.connection(tenantId), saved);
      onDone();
    },
  });
  const checkInput = () => {
    const problems: Record<string, string> = {};
    if (!clientId.trim()) problems.clientId = 'Enter the application (client) id of the app registration.';
    if (authMethod === 'secret' && !secret && !connection.clientSecretSet) problems.clientSecret = 'Enter the client secret.';
    if (cloud === 'custom' && !loginBaseUrl.trim()) problems.loginBaseUrl = 'Enter the sign-in URL.';
    if (cloud === 'custom' && !graphBaseUrl.trim()) problems.graphBaseUrl = 'Enter the Graph URL.';
    return problems;
  };
  const submit = () =>
    save.mutate({
      clientId: clientId.trim(),
      authMethod,
      cloud,
      ...(authMethod === 'secret' && secret ? { clientSecret: secret } : {}),
      ...(authMethod === 'secret' ? { clientSecretExpiresOn: secretExpiresOn || null } : {}),
      ...(cloud === 'custom' ? { loginBaseUrl: loginBaseUrl.trim(), graphBaseUrl: graphBaseUrl.trim() } : {}),
    });
  const { formRef, problems: local, onSubmit } = useConnectionForm(checkInput, submit, save.error);
  const err = save.error;
  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="space-y-4 rounded-md border border-zinc-200 p-4" aria-label="Teams app registration">
      <TextField
        label="Application (client) id"
        name="clientId"
        autoComplete="off"
        spellCheck={false}
        hint="From the app registration's overview page in Entra ID."
        value={clientId}
        onChange={(e) => setClientId(e.target.value)}
        error={local.clientId ?? fieldError(err, 'clientId')}
        data-autofocus
      />
      <fieldset className="space-y-1">
        <legend className="text-sm font-medium text-zinc-800">Authentication</legend>
        <div className="flex flex-wrap gap-4 text-sm">
          <label className="flex items-center gap-1.5">
            <input type="radio" name={radio} checked={authMethod === 'certificate'} onChange={() => setAuthMethod('certificate')} className="accent-blue-700" />
            Certificate (recommended)
          </label>
          <label className="flex items-center gap-1.5">
            <input type="radio" name={radio} checked={authMethod === 'secret'} onChange={() => setAuthMethod('secret')} className="accent-blue-700" />
            Client secret
          </label>
        </div>
        {authMethod === 'certificate' ? <p className="text-xs text-zinc-600">Generate or upload the certificate below, after saving.</p> : null}
      </fieldset>
      {authMethod === 'secret' ? (
        <SecretField
          label="Client secret"
          name="clientSecret"
          isSet={connection.clientSecretSet}
          hint="The secret value (not its id). It is stored encrypted and never shown again."
          value={secret}
          onChange={setSecret}
          error={local.clientSecret ?? fieldError(err, 'clientSecret')}
        />
      ) : null}
      {authMethod === 'secret' ? (
        <TextField
          label="Secret expires on"
          name="clientSecretExpiresOn"
          type="date"
          hint="As Entra ID shows it next to the secret (Certificates & secrets › Expires). The Overview warns 30 days before."
          value={secretExpiresOn}
          onChange={(e) => setSecretExpiresOn(e.target.value)}
          error={fieldError(err, 'clientSecretExpiresOn')}
        />
      ) : null}
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-zinc-800">Cloud</legend>
        <div className="flex flex-wrap gap-4 text-sm">
          <label className="flex items-center gap-1.5">
            <input type="radio" name={`${radio}-cloud`} checked={cloud === 'global'} onChange={() => setCloud('global')} className="accent-blue-700" />
            Microsoft global cloud
          </label>
          <label className="flex items-center gap-1.5">
            <input type="radio" name={`${radio}-cloud`} checked={cloud === 'custom'} onChange={() => setCloud('custom')} className="accent-blue-700" />
            Custom endpoints
          </label>
        </div>
        {cloud === 'custom' ? (
          <div className="grid gap-4 sm:grid-cols-2">
            <TextField label="Sign-in URL" name="loginBaseUrl" type="url" placeholder="https://login.microsoftonline.us" value={loginBaseUrl} onChange={(e) => setLoginBaseUrl(e.target.value)} error={local.loginBaseUrl ?? fieldError(err, 'loginBaseUrl')} />
            <TextField label="Graph URL" name="graphBaseUrl" type="url" placeholder="https://graph.microsoft.us" value={graphBaseUrl} onChange={(e) => setGraphBaseUrl(e.target.value)} error={local.graphBaseUrl ?? fieldError(err, 'graphBaseUrl')} />
          </div>
        ) : null}
      </fieldset>
      <ConnectionFormActions error={err} busy={save.isPending} onCancel={onDone} />
    </form>
  );
}

async function fileToBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function CertificateTools({ tenantId, connection }: { tenantId: string; connection: TeamsConnectionDto }) {
  const queryClient = useQueryClient();
  const [confirmGenerate, setConfirmGenerate] = useState(false);
  const [mode, setMode] = useState<'pfx' | 'pem'>('pfx');
  const [pfx, setPfx] = useState<File | null>(null);
  const [password, setPassword] = useState('');
  const [certFile, setCertFile] = useState<File | null>(null);
  const [keyFile, setKeyFile] = useState<File | null>(null);
  const [uploadProblem, setUploadProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const radio = useId();
  const generate = useMutation({
    mutationFn: () => teamsApi.generateCertificate(tenantId),
    onSuccess: (result) => {
      queryClient.setQueryData(teamsKeys.connection(tenantId), result.connection);
      setConfirmGenerate(false);
      setDone(`A new certificate was made here (thumbprint ${result.thumbprint}). Download it and upload it to the app registration in Entra ID (Certificates & secrets › Certificates).`);
    },
  });
  const upload = useMutation({
    mutationFn: async () => {
      if (mode === 'pfx') return teamsApi.uploadCertificate(tenantId, { pfxBase64: await fileToBase64(pfx!), ...(password ? { password } : {}) });
      return teamsApi.uploadCertificate(tenantId, { certificatePem: await certFile!.text(), privateKeyPem: await keyFile!.text() });
    },
    onSuccess: (saved) => {
      queryClient.setQueryData(teamsKeys.connection(tenantId), saved);
      setDone(`Certificate uploaded (thumbprint ${saved.certificate?.thumbprint ?? 'unknown'}).`);
      setPfx(null);
      setPassword('');
      setCertFile(null);
      setKeyFile(null);
    },
  });
  const onUpload = (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    const problem = mode === 'pfx' ? (pfx ? null : 'Choose the .pfx file.') : !certFile || !keyFile ? 'Choose both the certificate and its private key.' : null;
    setUploadProblem(problem);
    if (!problem) upload.mutate();
  };
  return (
    <div className="space-y-4 rounded-md border border-zinc-200 p-4">
      <h3 className="text-sm font-semibold text-zinc-900">Certificate</h3>
      {done ? <Notice>{done}</Notice> : null}
      <div className="space-y-2">
        <p className="text-sm text-zinc-700">Make a key pair here: the private key never leaves UCR Manager; you upload only the public certificate to Entra ID.</p>
        <div className="flex flex-wrap items-center gap-3">
          <Button onClick={() => (connection.certificate ? setConfirmGenerate(true) : generate.mutate())} busy={generate.isPending && !confirmGenerate}>
            Generate a certificate
          </Button>
          {connection.certificate ? (
            <a href={certificateUrl(tenantId)} download className="text-sm font-medium text-blue-700 underline">
              Download the certificate (.cer)
            </a>
          ) : null}
        </div>
        {!confirmGenerate ? <ErrorAlert error={generate.error} /> : null}
      </div>
      <form onSubmit={onUpload} noValidate className="space-y-3 border-t border-zinc-100 pt-4" aria-label="Upload a certificate">
        <p className="text-sm text-zinc-700">Or upload a certificate you already have, with its private key.</p>
        <div className="flex flex-wrap gap-4 text-sm">
          <label className="flex items-center gap-1.5">
            <input type="radio" name={radio} checked={mode === 'pfx'} onChange={() => setMode('pfx')} className="accent-blue-700" />
            PFX / PKCS#12 file
          </label>
          <label className="flex items-center gap-1.5">
            <input type="radio" name={radio} checked={mode === 'pem'} onChange={() => setMode('pem')} className="accent-blue-700" />
            PEM certificate and key
          </label>
        </div>
        {mode === 'pfx' ? (
          <div className="grid gap-4 sm:grid-cols-2">
            <FileField label="PFX file" accept=".pfx,.p12,application/x-pkcs12" file={pfx} onChange={setPfx} />
            <TextField label="PFX password" name="pfxPassword" type="password" autoComplete="off" hint="Leave empty if the file has none." value={password} onChange={(e) => setPassword(e.target.value)} />
          </div>
        ) : (
          <div className="grid gap-4 sm:grid-cols-2">
            <FileField label="Certificate (PEM)" accept=".pem,.crt,.cer" file={certFile} onChange={setCertFile} />
            <FileField label="Private key (PEM)" accept=".pem,.key" file={keyFile} onChange={setKeyFile} />
          </div>
        )}
        {uploadProblem ? (
          <p role="alert" className="text-sm text-red-700">
            {uploadProblem}
          </p>
        ) : null}
        <ErrorAlert error={upload.error} />
        <Button type="submit" busy={upload.isPending}>
          Upload certificate
        </Button>
      </form>
      <ConfirmDialog
        open={confirmGenerate}
        title="Replace the certificate?"
        confirmLabel="Generate a new certificate"
        danger
        busy={generate.isPending}
        error={generate.error}
        onConfirm={() => generate.mutate()}
        onCancel={() => {
          generate.reset();
          setConfirmGenerate(false);
        }}
      >
        <p>The current certificate stops being used here at once. Sign-in to Teams fails until the new certificate is uploaded to the app registration in Entra ID.</p>
      </ConfirmDialog>
    </div>
  );
}

function FileField({ label, accept, file, onChange }: { label: string; accept: string; file: File | null; onChange: (file: File | null) => void }) {
  const id = useId();
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-zinc-800">
        {label}
      </label>
      <input id={id} type="file" accept={accept} onChange={(e) => onChange(e.target.files?.[0] ?? null)} className={`${inputClass} file:mr-3 file:rounded file:border-0 file:bg-zinc-100 file:px-2 file:py-1 file:text-sm`} />
      {file ? <p className="text-xs text-zinc-600">{file.name}</p> : null}
    </div>
  );
}

export function Permissions({ check }: { check: ConnectionCheckDto | null }) {
  // Permissions are only known once the app could sign in and read its token's roles.
  const checked = Boolean(check?.steps.some((s) => /permission/i.test(s.name)));
  return (
    <div className="space-y-2">
      <h3 className="text-sm font-semibold text-zinc-900">Graph application permissions the app needs</h3>
      <p className="text-sm text-zinc-600">Add them under API permissions › Microsoft Graph › Application permissions, then grant admin consent for the tenant.</p>
      <ul className="space-y-1.5 text-sm" data-testid="required-permissions">
        {Object.entries(graphPermissions).map(([name, why]) => {
          const state = checked ? (check!.missingPermissions.includes(name) ? 'missing' : check!.grantedPermissions.includes(name) ? 'granted' : 'unknown') : 'unknown';
          return (
            <li key={name} className="flex items-start gap-2">
              <span aria-hidden="true" className={`w-4 font-semibold ${state === 'granted' ? 'text-green-700' : state === 'missing' ? 'text-red-700' : 'text-zinc-400'}`}>
                {state === 'granted' ? '✓' : state === 'missing' ? '✗' : '•'}
              </span>
              <span>
                <code className="font-mono text-xs font-medium text-zinc-900">{name}</code>
                {state !== 'unknown' ? <span className="sr-only">{state === 'granted' ? ' (granted)' : ' (missing)'}</span> : null}
                {state === 'missing' ? (
                  <span className="ml-2">
                    <Badge tone="red">Missing</Badge>
                  </span>
                ) : null}
                <span className="block text-zinc-600">{why}</span>
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function TeamsConnection() {
  const { tenant, canWrite } = useTenant();
  const { isAdmin } = useRole();
  const queryClient = useQueryClient();
  const connection = useQuery(teamsConnectionQuery(tenant.id));
  const [editing, setEditing] = useState(false);
  const test = useMutation({
    mutationFn: () => teamsApi.test(tenant.id),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: teamsKeys.connection(tenant.id) }),
  });
  const canAdmin = isAdmin && tenant.status === 'active';
  const data = connection.data;
  return (
    <ConnectionCard<ConnectionCheckDto>
      title="Microsoft Teams"
      id="teams-connection"
      description="The app registration in the customer's Entra ID through which UCR Manager reads users and assigns numbers and policies (Microsoft Graph)."
      test={test}
      lastTest={data?.lastTest}
      testButton={{ label: 'Test connection', shown: canWrite, enabled: Boolean(data) }}
      texts={{ testing: 'Signing in as the app and asking Microsoft Graph…', ok: 'The connection works.', fail: 'The connection does not work yet.' }}
      testIds={{ result: 'connection-test', step: 'connection-step' }}
      actions={
        <>
          {canAdmin && !editing ? (
            <Button
              onClick={() => {
                test.reset();
                setEditing(true);
              }}
            >
              {data?.clientId ? 'Edit' : 'Set up'}
            </Button>
          ) : null}
          {isAdmin && !editing && (data?.clientId || data?.certificate) ? (
            <DeleteConnectionButton
              system="Teams"
              tenantName={tenant.name}
              remove={() => teamsApi.deleteConnection(tenant.id)}
              onDeleted={(empty) => {
                test.reset();
                queryClient.setQueryData(teamsKeys.connection(tenant.id), empty);
              }}
            />
          ) : null}
        </>
      }
      footer={(check) => <Permissions check={check} />}
    >
      {!tenant.features.teams ? <Notice tone="warning">Microsoft Teams is switched off for this tenant. An admin can switch it on in the tenant's details.</Notice> : null}
      <ErrorAlert error={connection.error} />
      {connection.isPending ? <p className="text-sm text-zinc-600">Loading…</p> : null}
      {data ? <Summary tenantId={tenant.id} connection={data} /> : null}
      {data && editing ? <EditForm tenantId={tenant.id} connection={data} onDone={() => setEditing(false)} /> : null}
      {data && canAdmin && (data.authMethod === 'certificate' || data.certificate) ? <CertificateTools tenantId={tenant.id} connection={data} /> : null}
    </ConnectionCard>
  );
}

/** The tenant's connections to Teams and ConnectWise (B2, B4); 3CX's is on the tenant's 3CX page. */
export function ConnectionsPage() {
  const { tenant } = useTenant();
  return (
    <div className="space-y-6">
      <TeamsConnection />
      {tenant.features.connectwise ? <ConnectWiseConnection /> : null}
    </div>
  );
}
