import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { threeCxApi, threeCxConnectionQuery, threeCxKeys, type ThreeCxConnectionDto, type ThreeCxTestDto } from '../../api/threecx.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { SelectField, TextField } from '../../components/Field.tsx';
import { ConnectionCard, ConnectionFormActions } from '../../components/ConnectionCard.tsx';
import { DeleteConnectionButton } from '../../components/DeleteConnectionButton.tsx';
import { SecretField } from '../../components/SecretField.tsx';
import { fieldError } from '../../lib/errors.ts';
import { useRole } from '../../lib/role.ts';
import { TwoFactorPrompt } from './TwoFactorPrompt.tsx';

function ConnectionForm({ tenantId, current, onSaved }: { tenantId: string; current: ThreeCxConnectionDto; onSaved: () => void }) {
  const queryClient = useQueryClient();
  const [form, setForm] = useState({
    fqdn: current.fqdn ?? '',
    baseUrl: current.baseUrl ?? '',
    authMode: current.authMode ?? 'api_client',
    clientId: current.clientId ?? '',
    clientSecret: '',
    username: current.username ?? '',
    password: '',
  });
  const save = useMutation({
    mutationFn: () =>
      threeCxApi.saveConnection(tenantId, {
        fqdn: form.fqdn.trim(),
        ...(form.baseUrl.trim() ? { baseUrl: form.baseUrl.trim() } : {}),
        authMode: form.authMode,
        ...(form.authMode === 'api_client' ? { clientId: form.clientId.trim(), ...(form.clientSecret ? { clientSecret: form.clientSecret } : {}) } : { username: form.username.trim(), ...(form.password ? { password: form.password } : {}) }),
      }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: threeCxKeys.all(tenantId) });
      onSaved();
    },
  });
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const err = save.error;
  return (
    <form onSubmit={submit} className="max-w-xl space-y-4" aria-label="3CX connection">
      <TextField label="PBX FQDN" name="fqdn" placeholder="contoso.3cx.eu" required value={form.fqdn} onChange={set('fqdn')} error={fieldError(err, 'fqdn')} autoComplete="off" spellCheck={false} />
      <TextField label="Address (optional)" name="baseUrl" hint="Only when UCR Manager reaches the PBX another way than https://FQDN (a proxy)." value={form.baseUrl} onChange={set('baseUrl')} error={fieldError(err, 'baseUrl')} autoComplete="off" spellCheck={false} />
      <SelectField label="Sign in with" name="authMode" value={form.authMode} onChange={(e) => setForm({ ...form, authMode: e.target.value as 'api_client' | 'admin' })}>
        <option value="api_client">API client (client id and secret, Enterprise licence)</option>
        <option value="admin">Admin sign-in (username, password, 2FA code when asked)</option>
      </SelectField>
      {form.authMode === 'api_client' ? (
        <>
          <TextField label="Client id" name="clientId" value={form.clientId} onChange={set('clientId')} error={fieldError(err, 'clientId')} autoComplete="off" spellCheck={false} />
          <SecretField label="Client secret (API key)" name="clientSecret" isSet={current.clientSecretSet} value={form.clientSecret} onChange={(clientSecret) => setForm({ ...form, clientSecret })} error={fieldError(err, 'clientSecret')} />
        </>
      ) : (
        <>
          <TextField label="Admin username" name="username" value={form.username} onChange={set('username')} error={fieldError(err, 'username')} autoComplete="off" spellCheck={false} />
          <SecretField label="Admin password" name="password" isSet={current.passwordSet} value={form.password} onChange={(password) => setForm({ ...form, password })} error={fieldError(err, 'password')} />
        </>
      )}
      <ConnectionFormActions error={err} busy={save.isPending} saveLabel="Save connection" />
    </form>
  );
}

/** B3: the PBX, how to sign in to it, and a test (with the 2FA prompt when the admin has 2FA). */
export function ConnectionPanel({ tenantId, tenantName }: { tenantId: string; tenantName: string }) {
  const queryClient = useQueryClient();
  const connection = useQuery(threeCxConnectionQuery(tenantId));
  const { isAdmin, canOperate } = useRole();
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const test = useMutation({ mutationFn: () => threeCxApi.testConnection(tenantId) });
  const c = connection.data;
  return (
    <ConnectionCard<ThreeCxTestDto>
      title="3CX connection"
      description="The customer's 3CX v20 PBX. Secrets are stored encrypted and never shown again."
      test={test}
      lastTest={editing ? null : c?.lastTest}
      testButton={{ label: 'Test connection', shown: canOperate && Boolean(c?.configured) && !editing, enabled: true }}
      texts={{ testing: 'Signing in to the PBX and reading it…', ok: 'The PBX answers.', fail: 'The PBX does not answer yet.' }}
      testIds={{ result: 'threecx-test-result' }}
      actions={
        isAdmin && c && !editing ? (
          <>
            <Button
              onClick={() => {
                test.reset();
                setEditing(true);
                setSaved(false);
              }}
            >
              {c.configured ? 'Change connection' : 'Set up connection'}
            </Button>
            {c.fqdn ? (
              <DeleteConnectionButton
                system="3CX"
                tenantName={tenantName}
                remove={() => threeCxApi.deleteConnection(tenantId)}
                onDeleted={(empty) => {
                  test.reset();
                  setSaved(false);
                  queryClient.setQueryData(threeCxKeys.connection(tenantId), empty);
                  void queryClient.invalidateQueries({ queryKey: threeCxKeys.all(tenantId) });
                }}
              />
            ) : null}
          </>
        ) : null
      }
      footer={() => (test.data?.twoFactorRequired ? <TwoFactorPrompt tenantId={tenantId} onOpened={() => test.reset()} /> : null)}
    >
      <ErrorAlert error={connection.error} />
      {saved ? <Notice>Connection saved. Test it to check the sign-in.</Notice> : null}
      {c && !editing ? (
        c.configured ? (
          <dl className="grid max-w-xl grid-cols-[10rem_1fr] gap-x-4 gap-y-1 text-sm">
            <dt className="text-zinc-600">PBX</dt>
            <dd data-testid="threecx-fqdn">{c.fqdn}</dd>
            <dt className="text-zinc-600">Sign-in</dt>
            <dd>{c.authMode === 'api_client' ? `API client ${c.clientId ?? ''}` : `Admin ${c.username ?? ''}${c.sessionOpen ? ' (session open)' : ''}`}</dd>
          </dl>
        ) : (
          <Notice tone="info">No 3CX connection yet.{isAdmin ? ' Add the PBX and its API client (or an admin sign-in).' : ' An admin can add it.'}</Notice>
        )
      ) : null}
      {c && editing ? (
        <ConnectionForm
          tenantId={tenantId}
          current={c}
          onSaved={() => {
            setEditing(false);
            setSaved(true);
            test.reset();
          }}
        />
      ) : null}
    </ConnectionCard>
  );
}
