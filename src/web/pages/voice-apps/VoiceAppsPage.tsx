import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { voiceAppsApi, voiceAppsKeys, voiceAppsQuery, type AutoAttendantDto, type CallFlowDto, type CallQueueDto, type CallTargetDto } from '../../api/voice-apps.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { Section } from '../../components/Section.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useRole } from '../../lib/role.ts';
import { useTenant } from '../tenants/tenant-context.ts';
import { AssignResourceAccountNumberDialog } from './AssignResourceAccountNumberDialog.tsx';
import { NewResourceAccountDialog } from './NewResourceAccountDialog.tsx';
import { ResourceAccountsTable } from './ResourceAccountsTable.tsx';

const keyLabel = (key: string) => (/^Tone(\d|Star|Pound)$/.test(key) ? `Press ${key.replace('Tone', '').replace('Star', '*').replace('Pound', '#')}` : key === 'Automatic' ? 'Straight away' : key);
const targetText = (t: CallTargetDto | null) => (t ? `${t.label} (${t.type})` : '');

function CallFlow({ flow, title }: { flow: CallFlowDto | null; title: string }) {
  if (!flow) return <p className="text-sm text-zinc-500">{title}: no call flow.</p>;
  return (
    <div className="text-sm">
      <p className="font-medium text-zinc-800">
        {title}: {flow.name}
        {flow.menuName ? <span className="text-zinc-500"> — menu “{flow.menuName}”</span> : null}
      </p>
      <ul className="mt-1 ml-3 space-y-1 border-l-2 border-zinc-300 pl-3">
        {flow.options.length === 0 ? <li className="text-zinc-500">No menu options.</li> : null}
        {flow.options.map((o) => (
          <li key={o.dtmf} data-testid="menu-option">
            <span className="font-semibold">{keyLabel(o.dtmf)}</span> <span aria-hidden="true">→</span> {o.action}
            {o.target ? `: ${targetText(o.target)}` : ''}
          </li>
        ))}
      </ul>
    </div>
  );
}

function AutoAttendantCard({ aa }: { aa: AutoAttendantDto }) {
  return (
    <article className="space-y-3 rounded-md border border-zinc-200 p-4" aria-label={`Auto attendant ${aa.name}`}>
      <header>
        <h3 className="font-semibold text-zinc-900">{aa.name}</h3>
        <p className="text-xs text-zinc-600">
          Language {aa.languageId} · time zone {aa.timeZoneId} · resource accounts: {aa.resourceAccounts.map((r) => r.label).join(', ') || 'none'}
        </p>
      </header>
      <CallFlow flow={aa.defaultCallFlow} title="Business hours" />
      <div className="text-sm">
        <p className="font-medium text-zinc-800">Business hours{aa.businessHours ? ` (schedule “${aa.businessHours.scheduleName}”)` : ''}</p>
        {aa.businessHours ? (
          <dl className="mt-1 grid grid-cols-[8rem_1fr] gap-x-3 text-zinc-700">
            {aa.businessHours.days.map((d) => (
              <div key={d.day} className="contents">
                <dt>{d.day}</dt>
                <dd>{d.ranges.length ? d.ranges.map((r) => `${r.start.slice(0, 5)}–${r.end.slice(0, 5)}`).join(', ') : 'Closed'}</dd>
              </div>
            ))}
          </dl>
        ) : (
          <p className="text-zinc-600">Open all the time.</p>
        )}
      </div>
      {aa.businessHours ? <CallFlow flow={aa.businessHours.callFlow} title="After hours" /> : null}
      <div className="text-sm">
        <p className="font-medium text-zinc-800">Holidays</p>
        {aa.holidays.length === 0 ? <p className="text-zinc-600">None.</p> : null}
        {aa.holidays.map((h) => (
          <div key={h.scheduleName} className="mt-1">
            <p>
              {h.scheduleName}: {h.ranges.map((r) => `${r.start} – ${r.end}`).join('; ')}
            </p>
            <CallFlow flow={h.callFlow} title="Holiday call flow" />
          </div>
        ))}
      </div>
    </article>
  );
}

function CallQueueCard({ q }: { q: CallQueueDto }) {
  return (
    <article className="space-y-2 rounded-md border border-zinc-200 p-4 text-sm" aria-label={`Call queue ${q.name}`}>
      <header>
        <h3 className="font-semibold text-zinc-900">{q.name}</h3>
        <p className="text-xs text-zinc-600">
          Language {q.languageId} · routing {q.routingMethod} · resource accounts: {q.resourceAccounts.map((r) => r.label).join(', ') || 'none'}
        </p>
      </header>
      <p>
        <span className="font-medium">Agents:</span> {q.agents.length ? q.agents.map((a) => `${a.label}${a.optIn ? '' : ' (opted out)'}`).join(', ') : 'none named directly'}
      </p>
      {q.groups.length ? (
        <p>
          <span className="font-medium">Groups:</span> {q.groups.map((g) => g.label).join(', ')}
        </p>
      ) : null}
      <p data-testid="queue-timeout">
        <span className="font-medium">Timeout:</span> after {q.timeout.seconds ?? '—'} s, {q.timeout.action}
        {q.timeout.target ? ` → ${targetText(q.timeout.target)}` : ''}
      </p>
      <p>
        <span className="font-medium">Overflow:</span> over {q.overflow.calls ?? '—'} calls, {q.overflow.action}
        {q.overflow.target ? ` → ${targetText(q.overflow.target)}` : ''}
      </p>
    </article>
  );
}

/**
 * Voice apps of a tenant (issue #20): its resource accounts (from Graph) and, through the optional
 * PowerShell bridge, its auto attendants and call queues with what an engineer documents. What is
 * shown is the last read, kept on the server; "Refresh from Teams" reads again.
 */
export function VoiceAppsPage() {
  const { tenant } = useTenant();
  const { canOperate } = useRole();
  const queryClient = useQueryClient();
  const page = useQuery(voiceAppsQuery(tenant.id));
  const refresh = useMutation({
    mutationFn: () => voiceAppsApi.refresh(tenant.id),
    onSuccess: (data) => queryClient.setQueryData(voiceAppsKeys.all(tenant.id), data),
  });
  const data = page.data;
  // Creating accounts and changing their numbers: operators, on an active tenant (as every voice change).
  const canChange = canOperate && tenant.status === 'active';
  return (
    <div className="space-y-6">
      <Section
        title="Voice apps"
        description="Resource accounts, auto attendants and call queues of this tenant, as last read from Teams."
        actions={
          <div className="flex gap-2">
            <a className="inline-flex items-center rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm font-medium text-zinc-800 hover:bg-zinc-50" href={voiceAppsApi.exportUrl(tenant.id)} target="_blank" rel="noopener">
              Print / export
            </a>
            {canOperate && tenant.status === 'active' ? (
              <Button variant="primary" onClick={() => refresh.mutate()} busy={refresh.isPending}>
                Refresh from Teams
              </Button>
            ) : null}
          </div>
        }
      >
        <ErrorAlert error={page.error ?? refresh.error} className="mb-4" />
        {data ? (
          <div className="space-y-3">
            <p className="text-sm text-zinc-600" data-testid="voice-apps-refreshed">
              {data.refreshedAt ? `Last refreshed from Teams ${formatDateTime(data.refreshedAt)}.` : 'Not read from Teams yet: use Refresh from Teams.'}
            </p>
            {data.powershell.setup ? (
              <div data-testid="voice-apps-setup">
                <Notice tone="info">{data.powershell.setup}</Notice>
              </div>
            ) : null}
            {data.bridge.status === 'failed' ? (
              <div data-testid="voice-apps-bridge-error">
                <Notice tone="warning">
                  Auto attendants and call queues could not be read ({data.bridge.code}): {data.bridge.message}
                </Notice>
              </div>
            ) : null}
          </div>
        ) : null}
      </Section>
      {data ? (
        <>
          <Section title="Resource accounts" description="Read from Graph: each account's number and licence; the type and what it serves come from Teams PowerShell.">
            <ResourceAccountsTable
              accounts={data.resourceAccounts}
              header={
                canChange ? (
                  <NewResourceAccountDialog
                    tenantId={tenant.id}
                    voiceApps={[...data.autoAttendants.map((aa) => ({ identity: aa.identity, name: aa.name, type: 'aa' as const })), ...data.callQueues.map((q) => ({ identity: q.identity, name: q.name, type: 'cq' as const }))]}
                    defaultUsageLocation={tenant.defaultCountry ?? ''}
                    onDone={() => refresh.mutate()}
                  />
                ) : undefined
              }
              actions={
                canChange
                  ? (account) => (
                      <AssignResourceAccountNumberDialog
                        tenantId={tenant.id}
                        account={{ objectId: account.objectId, displayName: account.displayName, phoneNumber: account.phoneNumbers[0] ?? null }}
                        onDone={() => refresh.mutate()}
                      />
                    )
                  : undefined
              }
            />
          </Section>
          <Section title="Auto attendants">
            {data.autoAttendants.length === 0 ? <p className="text-sm text-zinc-600">{data.bridge.status === 'read' ? 'None in this tenant.' : 'Read through the PowerShell bridge (see above).'}</p> : null}
            <div className="space-y-4">
              {data.autoAttendants.map((aa) => (
                <AutoAttendantCard key={aa.identity} aa={aa} />
              ))}
            </div>
          </Section>
          <Section title="Call queues">
            {data.callQueues.length === 0 ? <p className="text-sm text-zinc-600">{data.bridge.status === 'read' ? 'None in this tenant.' : 'Read through the PowerShell bridge (see above).'}</p> : null}
            <div className="grid gap-4 lg:grid-cols-2">
              {data.callQueues.map((q) => (
                <CallQueueCard key={q.identity} q={q} />
              ))}
            </div>
          </Section>
        </>
      ) : null}
    </div>
  );
}
