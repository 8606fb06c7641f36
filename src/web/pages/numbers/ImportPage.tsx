import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { inventoryKeys, rangesQuery, sitesQuery, tenantApi } from '../../api/inventory.ts';
import type { ImportReport } from '../../api/types.ts';
import { uploadFile, type UploadProgress } from '../../api/upload.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { CsvColumnsHelp } from '../../components/CsvColumnsHelp.tsx';
import { FileDropZone } from '../../components/FileDropZone.tsx';
import { Section } from '../../components/Section.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { Table, Td, Th } from '../../components/Table.tsx';
import { formatCount, kindLabel, plural, statusLabel } from '../../lib/inventory.ts';
import { useTenant } from '../tenants/tenant-context.ts';

const TEMPLATE = [
  'number,extension,kind,status,range,site,carrier,tags,notes,assignee,assignee_name,reserved_until,reservation_reason',
  '+14155550100,,direct_routing,available,,,,main;reception,Front desk,,,,',
  '+14155550101,,direct_routing,assigned,,,,,,jane.doe@contoso.com,Jane Doe,,',
  '+14155550102,,calling_plan,reserved,,,,,,,,2030-12-31,New starter',
  '',
].join('\r\n');

const templateHref = `data:text/csv;charset=utf-8,${encodeURIComponent(TEMPLATE)}`;

const columnHelp: [string, string][] = [
  ['number', 'Required. E.164 such as +14155550100 (also: phone number, e164, did). Without +, the tenant’s default country applies.'],
  ['extension', 'Optional, 1–10 digits.'],
  ['kind', 'direct_routing (default), calling_plan, operator_connect or threecx_did.'],
  ['status', 'available (default), reserved, assigned, blocked or retired.'],
  ['range, site', 'Names of an existing range or site of this tenant.'],
  ['carrier, notes', 'Free text.'],
  ['tags', 'Separated by ; or |.'],
  ['assignee, assignee_name', 'For assigned numbers: the UPN or 3CX extension, and a display name.'],
  ['reserved_until, reservation_reason', 'For reserved numbers: YYYY-MM-DD and why.'],
];

type Phase = { step: 'idle' } | { step: 'checking' | 'importing'; progress: UploadProgress } | { step: 'checked'; report: ImportReport } | { step: 'imported'; report: ImportReport };

function Progress({ label, progress }: { label: string; progress: UploadProgress }) {
  const uploaded = progress.total > 0 && progress.loaded >= progress.total;
  const percent = progress.total > 0 ? Math.round((progress.loaded / progress.total) * 100) : 0;
  return (
    <div className="space-y-1" data-testid="upload-progress">
      <div className="flex justify-between text-sm text-zinc-700">
        <span>{uploaded ? `${label}: checking every row…` : `${label}: uploading…`}</span>
        <span className="tabular-nums">{percent}%</span>
      </div>
      <progress className="h-2 w-full overflow-hidden rounded-full accent-blue-700" max={100} value={percent} aria-label={`${label} upload progress`} />
    </div>
  );
}

function Counts({ title, counts, label }: { title: string; counts: Record<string, number>; label: (k: string) => string }) {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  if (entries.length === 0) return null;
  return (
    <div>
      <h4 className="text-xs font-medium text-zinc-500">{title}</h4>
      <ul className="mt-1 flex flex-wrap gap-x-4 gap-y-1 text-sm text-zinc-800">
        {entries.map(([k, n]) => (
          <li key={k}>
            {label(k)}: <span className="font-medium tabular-nums">{formatCount(n)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Report({ report, rangeName, siteName }: { report: ImportReport; rangeName: (id: string | null) => string; siteName: (id: string | null) => string }) {
  return (
    <div className="space-y-5" data-testid="import-report">
      <dl className="grid grid-cols-3 gap-3 sm:max-w-lg">
        {[
          ['Rows', report.totalRows],
          ['Ready to import', report.validRows],
          ['Problems', report.errorCount],
        ].map(([label, value]) => (
          <div key={label} className={`rounded-md border px-3 py-2 ${label === 'Problems' && Number(value) > 0 ? 'border-red-200 bg-red-50' : 'border-zinc-200 bg-zinc-50'}`}>
            <dt className="text-xs text-zinc-600">{label}</dt>
            <dd className="text-lg font-semibold text-zinc-900 tabular-nums" data-testid={`import-${String(label).toLowerCase().replace(/ /g, '-')}`}>
              {formatCount(Number(value))}
            </dd>
          </div>
        ))}
      </dl>

      {report.errorCount > 0 ? (
        <div className="space-y-2">
          <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
            {plural(report.errorCount, 'problem')} in the file. Nothing can be imported until every row is right: fix the file and choose it again.
          </div>
          <Table caption="Problems by row">
            <thead>
              <tr>
                <Th>Row</Th>
                <Th>Column</Th>
                <Th>Value</Th>
                <Th>Problem</Th>
              </tr>
            </thead>
            <tbody className="bg-white">
              {report.errors.map((e, i) => (
                <tr key={`${e.row}-${e.column}-${i}`} data-testid="import-error">
                  <Td className="tabular-nums">{e.row}</Td>
                  <Td className="font-mono text-xs">{e.column}</Td>
                  <Td className="font-mono text-xs break-all">{e.value || <span className="font-sans text-zinc-400">(empty)</span>}</Td>
                  <Td>{e.message}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
          {report.errors.length < report.errorCount ? <p className="text-xs text-zinc-600">Showing the first {formatCount(report.errors.length)} problems.</p> : null}
        </div>
      ) : null}

      <div className="flex flex-wrap gap-8">
        <Counts title="Valid rows by status" counts={report.byStatus} label={statusLabel} />
        <Counts title="Valid rows by kind" counts={report.byKind} label={kindLabel} />
      </div>

      {report.sample.length > 0 ? (
        <div className="space-y-2">
          <h4 className="text-sm font-medium text-zinc-800">
            {report.sample.length < report.validRows ? `First ${report.sample.length} valid rows` : 'Valid rows'}
          </h4>
          <Table caption="Sample of the valid rows">
            <thead>
              <tr>
                <Th>Number</Th>
                <Th>Kind</Th>
                <Th>Status</Th>
                <Th>Range</Th>
                <Th>Site</Th>
                <Th>Carrier</Th>
                <Th>Tags</Th>
                <Th>Assignee</Th>
              </tr>
            </thead>
            <tbody className="bg-white">
              {report.sample.map((n) => (
                <tr key={`${n.e164}-${n.extension}`} data-testid="import-sample-row">
                  <Td className="font-mono text-xs whitespace-nowrap">
                    {n.e164}
                    {n.extension ? ` x${n.extension}` : ''}
                  </Td>
                  <Td>{kindLabel(n.kind)}</Td>
                  <Td>
                    <StatusBadge status={n.status} />
                  </Td>
                  <Td>{rangeName(n.rangeId)}</Td>
                  <Td>{siteName(n.siteId)}</Td>
                  <Td>{n.carrier}</Td>
                  <Td>{n.tags.join(', ')}</Td>
                  <Td>{n.assignee ?? ''}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </div>
      ) : null}
    </div>
  );
}

export function ImportPage() {
  const { tenant, canWrite } = useTenant();
  const queryClient = useQueryClient();
  const ranges = useQuery(rangesQuery(tenant.id));
  const sites = useQuery(sitesQuery(tenant.id));
  const [file, setFile] = useState<File | null>(null);
  const [phase, setPhase] = useState<Phase>({ step: 'idle' });
  const [error, setError] = useState<unknown>(null);
  const rangeName = (id: string | null) => (id ? (ranges.data?.find((r) => r.id === id)?.name ?? '') : '');
  const siteName = (id: string | null) => (id ? (sites.data?.find((s) => s.id === id)?.name ?? '') : '');

  const send = async (chosen: File, mode: 'preview' | 'apply', checked?: ImportReport) => {
    setError(null);
    const step = mode === 'preview' ? 'checking' : 'importing';
    setPhase({ step, progress: { loaded: 0, total: chosen.size } });
    const url = `${tenantApi(tenant.id)}/numbers/import?mode=${mode}&fileName=${encodeURIComponent(chosen.name.slice(0, 200))}`;
    try {
      const report = await uploadFile<ImportReport>(url, chosen, 'text/csv', (progress) => setPhase({ step, progress }));
      if (mode === 'apply') {
        setPhase({ step: 'imported', report });
        await queryClient.invalidateQueries({ queryKey: inventoryKeys.inventory(tenant.id) });
      } else {
        setPhase({ step: 'checked', report });
      }
    } catch (e) {
      setError(e);
      // A failed import leaves the checked file on screen, to try again or choose another.
      setPhase(checked ? { step: 'checked', report: checked } : { step: 'idle' });
    }
  };

  const choose = (chosen: File) => {
    setFile(chosen);
    void send(chosen, 'preview');
  };

  const reset = () => {
    setFile(null);
    setPhase({ step: 'idle' });
    setError(null);
  };

  const busy = phase.step === 'checking' || phase.step === 'importing';
  const report = phase.step === 'checked' || phase.step === 'imported' ? phase.report : null;
  const canImport = phase.step === 'checked' && phase.report.errorCount === 0 && phase.report.validRows > 0;

  return (
    <div className="space-y-6">
      <Section
        title="Import numbers from CSV"
        description="Every row is checked first. Importing is all or nothing: a file with a problem changes nothing."
        actions={
          <a href={templateHref} download="ucr-numbers-template.csv" className="inline-flex items-center rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm font-medium text-zinc-800 shadow-xs hover:bg-zinc-50">
            Download template
          </a>
        }
      >
        {!canWrite ? (
          <Notice tone="info">{tenant.status === 'archived' ? 'This tenant is archived: nothing can be imported into it.' : 'Your role can read the inventory but not import into it.'}</Notice>
        ) : null}
        {canWrite ? (
          <div className="space-y-4">
            <FileDropZone hint="Comma- or semicolon-separated, with a header row. Up to 200,000 numbers." file={file} disabled={busy} onFile={choose} />

            {busy ? <Progress label={phase.step === 'checking' ? 'Checking' : 'Importing'} progress={phase.progress} /> : null}
            <ErrorAlert error={error} />

            {phase.step === 'imported' ? (
              <div role="status" className="rounded-md border border-green-200 bg-green-50 px-4 py-3 text-sm text-green-900" data-testid="import-success">
                <p className="font-medium">Imported {plural(phase.report.imported, 'number')} from {file?.name}.</p>
                <p className="mt-1">
                  <Link to="/tenants/$tenantId/numbers" params={{ tenantId: tenant.id }} className="font-medium underline">
                    See the numbers
                  </Link>{' '}
                  or import another file.
                </p>
                {phase.report.importId ? (
                  <p className="mt-1">
                    Imported the wrong file?{' '}
                    <Link to="/tenants/$tenantId/numbers" params={{ tenantId: tenant.id }} search={{ importId: phase.report.importId }} className="font-medium underline">
                      Review or delete the numbers of this import
                    </Link>
                    .
                  </p>
                ) : null}
              </div>
            ) : null}

            {report && phase.step === 'checked' ? <Report report={report} rangeName={rangeName} siteName={siteName} /> : null}

            {phase.step === 'checked' || phase.step === 'imported' ? (
              <div className="flex flex-wrap gap-2">
                {canImport && file && phase.step === 'checked' ? (
                  <Button variant="primary" onClick={() => void send(file, 'apply', phase.report)}>
                    Import {plural(phase.report.validRows, 'number')}
                  </Button>
                ) : null}
                {phase.step === 'checked' && phase.report.errorCount === 0 && phase.report.validRows === 0 ? <p className="text-sm text-zinc-600">The file has no rows to import.</p> : null}
                <Button onClick={reset}>{phase.step === 'imported' ? 'Import another file' : 'Choose another file'}</Button>
              </div>
            ) : null}
          </div>
        ) : null}
      </Section>

      <CsvColumnsHelp description="Header names are case-insensitive; common spreadsheet names are understood too." columns={columnHelp} />
    </div>
  );
}
