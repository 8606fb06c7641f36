import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * One writer of phone_numbers: only src/features/numbers/number-store.ts inserts, updates or
 * deletes its rows, so the lifecycle, the audit event and the row locks cannot be bypassed.
 */
const root = join(import.meta.dirname, '../..');
const store = 'src/features/numbers/number-store.ts';

// Drizzle (`.insert(phoneNumbers)`, also across line breaks) and raw SQL (`insert into phone_numbers`, `update phone_numbers`, `delete from phone_numbers`).
const writes = [/\.(insert|update|delete)\(\s*phoneNumbers\s*\)/g, /\b(insert\s+into|update|delete\s+from)\s+phone_numbers\b/gi];
// A renamed import would hide a Drizzle write from the patterns above.
const aliased = /\bphoneNumbers\s+as\s+\w+/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(entry.name) ? [path] : [];
  });
}

function writesIn(text: string): string[] {
  return [...writes, aliased].flatMap((pattern) => [...text.matchAll(pattern)].map((m) => m[0].replace(/\s+/g, ' ')));
}

describe('phone_numbers has one writer', () => {
  const files = sourceFiles(join(root, 'src')).map((path) => ({ path: relative(root, path).split('\\').join('/'), text: readFileSync(path, 'utf8') }));

  it('no module but the number store writes phone_numbers', () => {
    const offenders = files.filter((f) => f.path !== store).flatMap((f) => writesIn(f.text).map((w) => `${f.path}: ${w}`));
    expect(offenders).toEqual([]);
  });

  it('the patterns find the store’s own writes (so the scan above can fail)', () => {
    const own = writesIn(files.find((f) => f.path === store)!.text);
    expect(own).toEqual(expect.arrayContaining(['.update(phoneNumbers)', 'insert into phone_numbers', 'update phone_numbers']));
  });
});
