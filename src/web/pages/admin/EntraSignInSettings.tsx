import { useMutation, useQuery, useQueryClient, queryOptions } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { EntraSignInCheckDto, EntraSignInDto } from '../../../features/settings/schemas.ts';
import { api } from '../../api/client.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { ConnectionCheckResult } from '../../components/ConnectionCheckResult.tsx';
import { CopyButton } from '../../components/CopyButton.tsx';
import { TextField } from '../../components/Field.tsx';
import { SecretField } from '../../components/SecretField.tsx';
import { Section } from '../../components/Section.tsx';
import { fieldError } from '../../lib/errors.ts';

const entraKey = ['settings', 'entra-sign-in'] as const;
const entraQuery = queryOptions({ queryKey: entraKey, queryFn: () => api.get<EntraSignInDto>('/api/settings/entra-sign-in') });

type Field = 'tenant' | 'clientId' | 'clientSecret' | 'authority';
const envNames: Record<Field, string> = { tenant: 'UCR_ENTRA_TENANT', clientId: 'UCR_ENTRA_CLIENT_ID', clientSecret: 'UCR_ENTRA_CLIENT_SECRET', authority: 'UCR_ENTRA_AUTHORITY' };

function EntraForm({ current }: { current: EntraSignInDto }) {
  const queryClient = useQueryClient();
  const fromEnv = (field: Field) => current.fromEnvironment.includes(field);
  const [tenant, setTenant] = useState(current.tenant ?? '');
  const [clientId, setClientId] = useState(current.clientId ?? '');
  const [secret, setSecret] = useState('');
  const [authMethod, setAuthMethod] = useState<'secret' | 'certificate'>(current.authMethod);
  const [authority, setAuthority] = useState(current.authority);
  const [redirectUri, setRedirectUri] = useState(current.redirectUriOverride ?? '');
  const [confirmRemove, setConfirmRemove] = useState(false);
  // Only what an admin may change here is sent; the environment's fields stay as they are.
  const input = () => ({
    ...(fromEnv('tenant') ? {} : { tenant: tenant.trim() || null }),
    ...(fromEnv('clientId') ? {} : { clientId: clientId.trim() || null }),
    ...(fromEnv('clientSecret') ? {} : { authMethod }),
    ...(fromEnv('clientSecret') || !secret || authMethod !== 'secret' ? {} : { clientSecret: secret }),
    ...(fromEnv('authority') ? {} : { authority: authority.trim() || null }),
    redirectUri: redirectUri.trim() || null,
  });
  const save = useMutation({
    mutationFn: () => api.put<EntraSignInDto>('/api/settings/entra-sign-in', input()),
    onSuccess: (saved) => {
      setSecret('');
      queryClient.setQueryData(entraKey, saved);
    },
  });
  const generate = useMutation({
    mutationFn: () => api.post<EntraSignInDto>('/api/settings/entra-sign-in/certificate'),
    onSuccess: (updated) => queryClient.setQueryData(entraKey, updated),
  });
  const test = useMutation({ mutationFn: () => api.post<EntraSignInCheckDto>('/api/settings/entra-sign-in/test', input()) });
  const remove = useMutation({
    mutationFn: () => api.delete<EntraSignInDto>('/api/settings/entra-sign-in'),
    onSuccess: (cleared) => {
      setConfirmRemove(false);
      setTenant(cleared.tenant ?? '');
      setClientId(cleared.clientId ?? '');
      setRedirectUri('');
      queryClient.setQueryData(entraKey, cleared);
    },
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    test.reset();
    save.mutate();
  };
  const envHint = (field: Field) => (fromEnv(field) ? `Set by the environment (${envNames[field]}); change it there.` : undefined);
  const err = save.error ?? test.error ?? generate.error;
  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4" aria-label="Entra ID sign-in">
      <p className="text-sm">
        {current.enabled ? <Badge tone="green">On: the sign-in page offers Microsoft Entra ID</Badge> : <Badge tone="amber">Off: operators sign in with a password only</Badge>}
      </p>
      <div className="space-y-1 rounded-md border border-zinc-200 bg-zinc-50 p-3">
        <p className="text-sm font-medium text-zinc-800">Redirect URI to add to the app registration (Authentication › Web)</p>
        <div className="flex flex-wrap items-center gap-2">
          <code className="font-mono text-xs break-all text-zinc-900" data-testid="entra-redirect-uri">
            {current.redirectUri}
          </code>
          <CopyButton value={current.redirectUri} label="Copy redirect URI" />
        </div>
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField label="Tenant (id or verified domain)" name="tenant" placeholder="contoso.onmicrosoft.com" autoComplete="off" spellCheck={false} value={tenant} onChange={(e) => setTenant(e.target.value)} readOnly={fromEnv('tenant')} hint={envHint('tenant') ?? 'Your own Entra ID tenant: only its accounts can sign in.'} error={fieldError(err, 'tenant')} />
        <TextField label="Application (client) id" name="clientId" placeholder="00000000-0000-0000-0000-000000000000" autoComplete="off" spellCheck={false} value={clientId} onChange={(e) => setClientId(e.target.value)} readOnly={fromEnv('clientId')} hint={envHint('clientId') ?? "From the app registration's Overview."} error={fieldError(err, 'clientId')} />
        {fromEnv('clientSecret') ? (
          <TextField label="Client secret" name="clientSecret" value="••••••••" readOnly hint={envHint('clientSecret')} />
        ) : (
          <fieldset className="space-y-2 sm:col-span-2">
            <legend className="text-sm font-medium text-zinc-800">The app proves itself with</legend>
            <div className="flex flex-wrap gap-4 text-sm">
              <label className="flex items-center gap-1.5">
                <input type="radio" name="entraAuthMethod" checked={authMethod === 'secret'} onChange={() => setAuthMethod('secret')} className="accent-blue-700" />
                Client secret
              </label>
              <label className="flex items-center gap-1.5">
                <input type="radio" name="entraAuthMethod" checked={authMethod === 'certificate'} onChange={() => setAuthMethod('certificate')} className="accent-blue-700" />
                Certificate
              </label>
            </div>
            {fieldError(err, 'authMethod') ? <p className="text-sm text-red-700">{fieldError(err, 'authMethod')}</p> : null}
            {authMethod === 'secret' ? (
              <SecretField label="Client secret" name="clientSecret" isSet={current.clientSecretSet} hint="The secret's Value (not its ID), from Certificates & secrets. Stored encrypted and never shown again. Saving with a secret deletes a generated certificate." value={secret} onChange={setSecret} error={fieldError(err, 'clientSecret')} />
            ) : (
              <div className="space-y-2 rounded-md border border-zinc-200 p-3 text-sm" data-testid="entra-certificate">
                {current.certificate ? (
                  <>
                    <p>
                      Thumbprint <code className="font-mono text-xs">{current.certificate.thumbprint}</code>, valid until {new Date(current.certificate.notAfter).toLocaleDateString()}.
                    </p>
                    <p>
                      <a href="/api/settings/entra-sign-in/certificate.cer" download className="font-medium text-blue-700 underline">
                        Download the certificate (.cer)
                      </a>{' '}
                      and upload it to the app registration under Certificates & secrets › Certificates, then Test and save.
                    </p>
                  </>
                ) : (
                  <p className="text-zinc-600">No certificate yet. The private key is made here, stored encrypted and never leaves this server.</p>
                )}
                <Button onClick={() => generate.mutate()} busy={generate.isPending}>
                  {current.certificate ? 'Generate a new certificate' : 'Generate certificate'}
                </Button>
              </div>
            )}
          </fieldset>
        )}
        <TextField label="Authority" name="authority" type="url" autoComplete="off" value={authority} onChange={(e) => setAuthority(e.target.value)} readOnly={fromEnv('authority')} hint={envHint('authority') ?? 'https://login.microsoftonline.com, or a national cloud’s sign-in address.'} error={fieldError(err, 'authority')} />
        <TextField label="Redirect URI (optional)" name="redirectUri" type="url" autoComplete="off" placeholder={current.redirectUri} value={redirectUri} onChange={(e) => setRedirectUri(e.target.value)} hint="Only when the address operators reach this server by differs from the one shown above (https, ending in /api/auth/entra/callback)." error={fieldError(err, 'redirectUri')} />
      </div>
      <ErrorAlert error={err} fieldsShown />
      {save.isSuccess ? <Notice>Saved. It applies to the next sign-in on every server, without a restart.</Notice> : null}
      {test.data ? <ConnectionCheckResult check={test.data} okText="Entra ID accepts this configuration." failText="This configuration does not work yet." testId="entra-test-result" /> : null}
      <div className="flex flex-wrap justify-end gap-2">
        {current.tenant || current.clientId || current.clientSecretSet ? (
          <Button variant="ghost" onClick={() => setConfirmRemove(true)}>
            Remove
          </Button>
        ) : null}
        <Button
          onClick={() => {
            save.reset();
            test.mutate();
          }}
          busy={test.isPending}
        >
          Test
        </Button>
        <Button type="submit" variant="primary" busy={save.isPending}>
          Save Entra ID sign-in
        </Button>
      </div>
      <ConfirmDialog
        open={confirmRemove}
        title="Remove Entra ID sign-in?"
        confirmLabel="Remove Entra ID sign-in"
        danger
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => remove.mutate()}
        onCancel={() => {
          remove.reset();
          setConfirmRemove(false);
        }}
      >
        <p>The settings saved here, the client secret and the certificate are deleted. Operators then sign in with their password only (unless the environment sets Entra ID sign-in).</p>
      </ConfirmDialog>
    </form>
  );
}

/** Operator sign-in with Entra ID (SPEC A3), set up here rather than in environment variables. */
export function EntraSignInSettings() {
  const current = useQuery(entraQuery);
  return (
    <Section
      title="Sign-in with Microsoft Entra ID"
      id="entra-sign-in"
      description="Operators sign in with their work account from your own Entra ID tenant. Register an app (single tenant, Web platform) and enter it here; a new operator waits for an admin's approval on first sign-in."
    >
      <ErrorAlert error={current.error} />
      {current.isPending ? <p className="text-sm text-zinc-600">Loading…</p> : null}
      {current.data ? <EntraForm current={current.data} /> : null}
    </Section>
  );
}
