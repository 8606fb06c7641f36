import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState, type FormEvent, type ReactNode } from 'react';
import type { ResolvedMicrosoftTenantDto } from '../../../features/tenants/schemas.ts';
import { api } from '../../api/client.ts';
import { inventoryKeys } from '../../api/inventory.ts';
import { certificateUrl, teamsApi, teamsKeys, type ConnectionCheckDto, type TeamsConnectionDto } from '../../api/teams.ts';
import type { TenantDto } from '../../api/types.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { CheckboxField, TextField } from '../../components/Field.tsx';
import { ConnectionCheckResult } from '../../components/ConnectionCheckResult.tsx';
import { PageHeader, Section } from '../../components/Section.tsx';
import { fieldError } from '../../lib/errors.ts';
import { Permissions } from '../connections/ConnectionsPage.tsx';
import { ConnectWiseConnection } from '../connections/ConnectWiseConnection.tsx';
import { ConnectionPanel } from '../threecx/ConnectionPanel.tsx';
import { TenantContext } from './tenant-context.ts';

const steps = ['Microsoft tenant', 'App registration', 'Certificate', 'Test Teams', '3CX', 'ConnectWise'] as const;

function StepList({ current }: { current: number }) {
  return (
    <ol className="mb-6 flex flex-wrap gap-2 text-sm" aria-label="Steps">
      {steps.map((label, index) => (
        <li key={label} aria-current={index === current ? 'step' : undefined} className={`rounded-full border px-3 py-1 ${index === current ? 'border-blue-700 bg-blue-50 font-medium text-blue-900' : index < current ? 'border-green-300 bg-green-50 text-green-900' : 'border-zinc-200 text-zinc-600'}`}>
          {index + 1}. {label}
        </li>
      ))}
    </ol>
  );
}

function Nav({ onBack, next }: { onBack?: () => void; next: ReactNode }) {
  return (
    <div className="flex justify-between gap-2 border-t border-zinc-100 pt-4">
      {onBack ? <Button onClick={onBack}>Back</Button> : <span />}
      {next}
    </div>
  );
}

/** Step 1: the customer's Microsoft tenant, looked up with Microsoft and shown before anything is created. */
function TenantStep({ onCreated }: { onCreated: (tenant: TenantDto, loginBaseUrl: string | null) => void }) {
  const queryClient = useQueryClient();
  const [lookup, setLookup] = useState('');
  const [otherCloud, setOtherCloud] = useState(false);
  const [loginBaseUrl, setLoginBaseUrl] = useState('');
  const [name, setName] = useState('');
  const [found, setFound] = useState<ResolvedMicrosoftTenantDto | null>(null);
  const resolve = useMutation({
    mutationFn: () => api.post<ResolvedMicrosoftTenantDto>('/api/tenants/resolve-microsoft-tenant', { tenant: lookup.trim(), ...(otherCloud && loginBaseUrl.trim() ? { loginBaseUrl: loginBaseUrl.trim() } : {}) }),
    onSuccess: (result) => {
      setFound(result);
      if (!name.trim() && result.domain) setName(result.domain.split('.')[0]!.replace(/^./, (c) => c.toUpperCase()));
    },
  });
  const create = useMutation({
    mutationFn: () => api.post<TenantDto>('/api/tenants', { name: name.trim(), microsoftTenantId: found!.microsoftTenantId, primaryDomain: found!.domain }),
    onSuccess: async (tenant) => {
      await queryClient.invalidateQueries({ queryKey: inventoryKeys.tenants });
      onCreated(tenant, otherCloud && loginBaseUrl.trim() ? loginBaseUrl.trim() : null);
    },
  });
  const onLookup = (event: FormEvent) => {
    event.preventDefault();
    setFound(null);
    create.reset();
    resolve.mutate();
  };
  return (
    <div className="space-y-5">
      <form onSubmit={onLookup} noValidate className="space-y-3" aria-label="Look up the Microsoft tenant">
        <TextField label="Microsoft tenant id or domain" name="tenantLookup" placeholder="contoso.com or 72f988bf-86f1-41af-91ab-2d7cd011db47" autoComplete="off" spellCheck={false} value={lookup} onChange={(e) => setLookup(e.target.value)} hint="Any verified domain of the customer's Microsoft 365 tenant works; Microsoft answers with its tenant id." error={fieldError(resolve.error, 'tenant')} data-autofocus />
        <CheckboxField label="Another cloud (national cloud or the built-in simulator)" checked={otherCloud} onChange={(e) => setOtherCloud(e.target.checked)} />
        {otherCloud ? <TextField label="Sign-in URL" name="wizardLoginBaseUrl" type="url" placeholder="https://login.microsoftonline.us" value={loginBaseUrl} onChange={(e) => setLoginBaseUrl(e.target.value)} error={fieldError(resolve.error, 'loginBaseUrl')} /> : null}
        <ErrorAlert error={resolve.error} />
        <Button type="submit" busy={resolve.isPending}>
          Look up
        </Button>
      </form>
      {found ? (
        <div className="space-y-3 rounded-md border border-green-200 bg-green-50 p-4" data-testid="resolved-tenant">
          <p className="text-sm text-green-900">
            Microsoft knows this tenant. Tenant id: <code className="font-mono text-xs">{found.microsoftTenantId}</code>
            {found.domain ? (
              <>
                {' '}
                (domain <code className="font-mono text-xs">{found.domain}</code>)
              </>
            ) : null}
            {found.regionScope ? `, region ${found.regionScope}` : ''}.
          </p>
          <TextField label="Name in UCR Manager" name="name" autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} error={fieldError(create.error, 'name', { tenant_name_taken: 'name' })} />
          <ErrorAlert error={create.error} />
          <Nav next={<Button variant="primary" busy={create.isPending} disabled={!name.trim()} onClick={() => create.mutate()}>Create tenant and continue</Button>} />
        </div>
      ) : null}
    </div>
  );
}

/** Step 2: what to register in the customer's Entra ID, then the client id. */
function AppRegistrationStep({ tenant, loginBaseUrl, onSaved }: { tenant: TenantDto; loginBaseUrl: string | null; onSaved: (connection: TeamsConnectionDto) => void }) {
  const queryClient = useQueryClient();
  const [clientId, setClientId] = useState('');
  const [graphBaseUrl, setGraphBaseUrl] = useState('');
  const save = useMutation({
    mutationFn: () => teamsApi.saveConnection(tenant.id, { clientId: clientId.trim(), authMethod: 'certificate', ...(loginBaseUrl ? { cloud: 'custom' as const, loginBaseUrl, graphBaseUrl: graphBaseUrl.trim() } : { cloud: 'global' as const }) }),
    onSuccess: (saved) => {
      queryClient.setQueryData(teamsKeys.connection(tenant.id), saved);
      onSaved(saved);
    },
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
      noValidate
      className="space-y-5"
      aria-label="App registration"
    >
      <div className="space-y-2 text-sm text-zinc-700">
        <p>
          In the customer&apos;s Entra admin center, under <strong>App registrations › New registration</strong>, register an app named &quot;UCR Manager&quot; (single tenant, no redirect URI). Then, under{' '}
          <strong>API permissions › Add a permission › Microsoft Graph › Application permissions</strong>, add the permissions below and choose <strong>Grant admin consent</strong>.
        </p>
      </div>
      <Permissions check={null} />
      <div className="space-y-1 text-sm text-zinc-700">
        <h3 className="font-semibold text-zinc-900">Teams PowerShell (optional)</h3>
        <p>
          Policies, emergency addresses, auto attendants and call queues are read and changed with Teams PowerShell, which Graph does not cover. For that, assign the app the <strong>Teams Administrator</strong> role (Entra ID › Roles and
          administrators › Teams Administrator › Add assignments). Without it, sign-in works but those cmdlets answer &quot;Access Denied&quot;.
        </p>
      </div>
      <TextField label="Application (client) id" name="clientId" placeholder="00000000-0000-0000-0000-000000000000" autoComplete="off" spellCheck={false} hint="On the app registration's Overview." value={clientId} onChange={(e) => setClientId(e.target.value)} error={fieldError(save.error, 'clientId')} />
      {loginBaseUrl ? <TextField label="Graph URL" name="wizardGraphBaseUrl" type="url" placeholder="https://graph.microsoft.us" hint={`Sign-in goes to ${loginBaseUrl}.`} value={graphBaseUrl} onChange={(e) => setGraphBaseUrl(e.target.value)} error={fieldError(save.error, 'graphBaseUrl')} /> : null}
      <ErrorAlert error={save.error} fieldsShown />
      <Nav next={<Button type="submit" variant="primary" busy={save.isPending} disabled={!clientId.trim()}>Save and continue</Button>} />
    </form>
  );
}

/** Step 3: a key pair made here; only the public certificate goes to Entra ID. */
function CertificateStep({ tenant, onBack, onNext }: { tenant: TenantDto; onBack: () => void; onNext: () => void }) {
  const queryClient = useQueryClient();
  const generate = useMutation({
    mutationFn: () => teamsApi.generateCertificate(tenant.id),
    onSuccess: (result) => queryClient.setQueryData(teamsKeys.connection(tenant.id), result.connection),
  });
  return (
    <div className="space-y-4">
      <p className="text-sm text-zinc-700">UCR Manager makes a key pair and a self-signed certificate. The private key stays here, encrypted; you upload only the public certificate to the app registration.</p>
      {generate.data ? (
        <Notice>
          Certificate made (thumbprint <code className="font-mono text-xs">{generate.data.thumbprint}</code>).{' '}
          <a href={certificateUrl(tenant.id)} download className="font-medium text-blue-700 underline">
            Download the certificate (.cer)
          </a>{' '}
          and upload it under <strong>Certificates &amp; secrets › Certificates › Upload certificate</strong>.
        </Notice>
      ) : (
        <Button variant="primary" busy={generate.isPending} onClick={() => generate.mutate()}>
          Generate a certificate
        </Button>
      )}
      <ErrorAlert error={generate.error} />
      <p className="text-xs text-zinc-600">To use a certificate you already have (PFX or PEM with its key), upload it on the tenant&apos;s Connections page instead.</p>
      <Nav onBack={onBack} next={<Button variant="primary" disabled={!generate.data} onClick={onNext}>Continue to the test</Button>} />
    </div>
  );
}

/** Step 4: sign in as the app and name every missing permission. */
function TestStep({ tenant, onBack, onNext }: { tenant: TenantDto; onBack: () => void; onNext: () => void }) {
  const test = useMutation({ mutationFn: () => teamsApi.test(tenant.id) });
  const check: ConnectionCheckDto | null = test.data ?? null;
  return (
    <div className="space-y-4">
      <p className="text-sm text-zinc-700">Once the certificate is uploaded and admin consent granted, test the connection. A missing permission is named; grant it and test again.</p>
      <Button variant="primary" busy={test.isPending} onClick={() => test.mutate()}>
        Test connection
      </Button>
      <ErrorAlert error={test.error} />
      {check ? <ConnectionCheckResult check={check} okText="The Teams connection works." failText="The Teams connection does not work yet." testId="connection-test" stepTestId="connection-step" /> : null}
      {check ? <Permissions check={check} /> : null}
      <Nav onBack={onBack} next={<Button variant="primary" onClick={onNext}>{check?.ok ? 'Continue' : 'Skip for now'}</Button>} />
    </div>
  );
}

/** Adds a tenant step by step: Microsoft tenant, app registration, certificate, test, then 3CX and ConnectWise. */
export function AddTenantWizard() {
  const [step, setStep] = useState(0);
  const [tenant, setTenant] = useState<TenantDto | null>(null);
  const [loginBaseUrl, setLoginBaseUrl] = useState<string | null>(null);
  const body = () => {
    if (step === 0 || !tenant)
      return (
        <TenantStep
          onCreated={(created, login) => {
            setTenant(created);
            setLoginBaseUrl(login);
            setStep(1);
          }}
        />
      );
    if (step === 1) return <AppRegistrationStep tenant={tenant} loginBaseUrl={loginBaseUrl} onSaved={() => setStep(2)} />;
    if (step === 2) return <CertificateStep tenant={tenant} onBack={() => setStep(1)} onNext={() => setStep(3)} />;
    if (step === 3) return <TestStep tenant={tenant} onBack={() => setStep(2)} onNext={() => setStep(4)} />;
    // 3CX and ConnectWise use the tenant's own connection forms and tests.
    return (
      <TenantContext.Provider value={{ tenant, canWrite: true }}>
        <div className="space-y-4">
          {step === 4 ? <ConnectionPanel tenantId={tenant.id} tenantName={tenant.name} /> : <ConnectWiseConnection />}
          <Nav
            onBack={() => setStep(step - 1)}
            next={
              step === 4 ? (
                <Button variant="primary" onClick={() => setStep(5)}>
                  Continue
                </Button>
              ) : (
                <Link to="/tenants/$tenantId" params={{ tenantId: tenant.id }} className="rounded-md bg-blue-700 px-3 py-2 text-sm font-medium text-white hover:bg-blue-800">
                  Finish: open {tenant.name}
                </Link>
              )
            }
          />
        </div>
      </TenantContext.Provider>
    );
  };
  return (
    <div>
      <PageHeader title="Add a tenant" description="Step by step, each checked with the system it talks to. 3CX and ConnectWise are optional: leave them for later if the customer has none." />
      <StepList current={step} />
      <Section title={steps[step]!}>{body()}</Section>
    </div>
  );
}
