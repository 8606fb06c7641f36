import { Section } from './Section.tsx';

/** What each column of an uploaded CSV file means, beside its drop zone. */
export function CsvColumnsHelp({ description, columns }: { description: string; columns: ReadonlyArray<readonly [string, string]> }) {
  return (
    <Section title="Columns" description={description}>
      <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
        {columns.map(([name, help]) => (
          <div key={name} className="contents">
            <dt className="font-mono text-xs text-zinc-900">{name}</dt>
            <dd className="text-zinc-700">{help}</dd>
          </div>
        ))}
      </dl>
    </Section>
  );
}
