import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.ts';

/** The README's configuration table names every variable the app reads, with the defaults the code has. */
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const envSource = readFileSync(new URL('../../src/config/env.ts', import.meta.url), 'utf8');
const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Commands'));

describe('README configuration table', () => {
  it('lists every variable of src/config/env.ts', () => {
    const variables = [...envSource.matchAll(/^ {2}([A-Z][A-Z0-9_]+): /gm)].map((m) => m[1]!);
    expect(variables.length).toBeGreaterThan(20);
    expect(variables.filter((name) => !table.includes(`\`${name}\``))).toEqual([]);
  });

  it('lists each variable once', () => {
    const rows = table.split('\n').map((line) => /^\| `([A-Z][A-Z0-9_]+)`/.exec(line)?.[1]).filter((name): name is string => Boolean(name));
    expect(rows.filter((name, i) => rows.indexOf(name) !== i)).toEqual([]);
  });

  it('states the defaults the code applies', () => {
    const result = loadConfig({});
    if (!result.ok) throw new Error(result.problems.join('\n'));
    const c = result.config;
    const row = (name: string) => table.split('\n').find((line) => line.startsWith(`| \`${name}\``)) ?? '';
    expect(row('PORT')).toContain(`\`${c.port}\``);
    expect(row('HOST')).toContain(`\`${c.host}\``);
    expect(row('UCR_DATA_DIR')).toContain(`\`${c.dataDir}\``);
    expect(row('UCR_ADMIN_EMAIL')).toContain(`\`${c.adminEmail}\``);
    expect(row('UCR_ROLE')).toContain(`\`${c.role}\``);
    expect(row('UCR_TRUST_PROXY')).toContain(`\`${c.trustProxy}\``);
    expect(row('UCR_SESSION_IDLE_MINUTES')).toContain(`\`${c.sessionIdleMinutes}\``);
    expect(row('UCR_SESSION_ABSOLUTE_MINUTES')).toContain(`\`${c.sessionAbsoluteMinutes}\``);
    expect(row('UCR_SIGNIN_RATE_LIMIT')).toContain(`\`${c.signInRateLimit}\``);
    expect(row('LOG_LEVEL')).toContain(`\`${c.logLevel}\``);
    expect(table).toContain('`https://login.microsoftonline.com`');
  });
});
