import { useQuery } from '@tanstack/react-query';
import { threeCxSystemQuery } from '../../api/threecx.ts';
import { Notice } from '../../components/Alert.tsx';
import { Section } from '../../components/Section.tsx';
import { formatCount } from '../../lib/inventory.ts';
import { ThreeCxError } from './TwoFactorPrompt.tsx';

const figure = (value: number | null, of?: number | null) => (value === null ? '—' : of === undefined || of === null ? formatCount(value) : `${formatCount(value)} of ${formatCount(of)}`);

/** The PBX at a glance: its version (SystemStatus) and what it holds, counted on the PBX. */
export function SystemPanel({ tenantId }: { tenantId: string }) {
  const system = useQuery(threeCxSystemQuery(tenantId));
  const data = system.data;
  const rows: Array<[string, string]> = data
    ? [
        ['Version', data.version ?? 'Unknown'],
        ['PBX address', data.fqdn ?? '—'],
        ['Extensions', formatCount(data.counts.extensions)],
        ['Extensions registered', figure(data.counts.extensionsRegistered)],
        ['Trunks', formatCount(data.counts.trunks)],
        ['Trunks registered', figure(data.counts.trunksRegistered, data.counts.trunks)],
        ['DIDs', formatCount(data.counts.dids)],
        ['Calls now', figure(data.counts.callsActive, data.counts.maxSimultaneousCalls)],
        ['Licence', data.activated === null ? '—' : data.activated ? 'Activated' : 'Not activated'],
      ]
    : [];
  return (
    <Section title="System" description="The PBX’s version and what it holds, as 3CX reports them now.">
      <div className="space-y-3">
        <ThreeCxError tenantId={tenantId} error={system.error} />
        {system.isPending ? <p className="text-sm text-zinc-600">Asking the PBX…</p> : null}
        {data?.statusProblem ? <Notice tone="info">{data.statusProblem}</Notice> : null}
        {data ? (
          <dl className="grid max-w-2xl grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-2" data-testid="threecx-system">
            {rows.map(([label, value]) => (
              <div key={label} className="flex justify-between gap-3 border-b border-zinc-100 py-1.5">
                <dt className="text-zinc-600">{label}</dt>
                <dd className="font-medium text-zinc-900 tabular-nums">{value}</dd>
              </div>
            ))}
          </dl>
        ) : null}
      </div>
    </Section>
  );
}
