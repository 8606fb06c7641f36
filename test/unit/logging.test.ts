import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { chooseLogFormat, createLogger } from '../../src/app/logging.ts';
import { loadConfig } from '../../src/config/env.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

describe('log format', () => {
  it('is readable on a terminal and JSON otherwise, unless LOG_FORMAT says', () => {
    expect(chooseLogFormat(undefined, true)).toBe('pretty');
    expect(chooseLogFormat(undefined, false)).toBe('json');
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('pretty', false)).toBe('pretty');
  });

  it('LOG_FORMAT takes pretty or json and refuses anything else by name', () => {
    const ok = loadConfig({ LOG_FORMAT: 'json' });
    expect(ok.ok && ok.config.logFormat).toBe('json');
    const unset = loadConfig({});
    expect(unset.ok && unset.config.logFormat).toBeUndefined();
    const bad = loadConfig({ LOG_FORMAT: 'xml' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems.join('\n')).toMatch(/LOG_FORMAT.*pretty, json/);
  });

  it('pretty lines are one readable line per event, with secrets redacted as in JSON', () => {
    const { lines, stream } = capture();
    const log = createLogger('info', stream, 'pretty');
    log.info({ tenant: 'Contoso', password: 'hunter2-secret', req: { method: 'GET', url: '/cb?code=abc123&x=1', id: 'r1' } }, 'UCR Manager is ready');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/INFO.*UCR Manager is ready/);
    expect(lines[0]).toContain('Contoso');
    expect(() => JSON.parse(lines[0]!)).toThrow();
    expect(lines[0]).not.toContain('hunter2-secret');
    expect(lines[0]).not.toContain('abc123');
    expect(lines[0]).toContain('[REDACTED]');
  });

  it('json lines are JSON, redacted', () => {
    const { lines, stream } = capture();
    createLogger('info', stream, 'json').info({ password: 'hunter2-secret' }, 'ready');
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ msg: 'ready', password: '[REDACTED]', level: 30 });
  });
});
