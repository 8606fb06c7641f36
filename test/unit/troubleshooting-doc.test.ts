import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * docs/troubleshooting.md is keyed by the exact messages the app shows. Each message quoted in
 * the first column of its tables must still be in the source (with `…` standing for the part that
 * varies), so rewording a message fails here until the doc follows.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));

function sourceText(dir: string): string {
  let text = '';
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) text += sourceText(path);
    else if (/\.tsx?$/.test(name)) text += readFileSync(path, 'utf8');
  }
  return text;
}

/** The backtick-quoted messages of the first column of every table row. */
export function quotedMessages(markdown: string): string[] {
  const messages: string[] = [];
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const firstCell = line.split(' | ')[0]!;
    for (const match of firstCell.matchAll(/`([^`]+)`/g)) messages.push(match[1]!);
  }
  return messages;
}

describe('troubleshooting doc', () => {
  // Escaped quotes in single-quoted strings read as the plain character people see.
  const source = sourceText(join(root, 'src')).replace(/\\'/g, "'");
  const messages = quotedMessages(readFileSync(join(root, 'docs', 'troubleshooting.md'), 'utf8'));

  it('quotes a good number of messages', () => {
    expect(messages.length).toBeGreaterThan(60);
  });

  it('every quoted message still exists in src/ (… stands for what varies)', () => {
    const missing = messages.filter((message) =>
      message
        .split('…')
        .map((part) => part.trim())
        .filter((part) => part.length >= 8)
        .some((part) => !source.includes(part)),
    );
    expect(missing).toEqual([]);
  });

  it('the check itself notices a message that is not in the code', () => {
    expect(source.includes('This message was never written by anyone.')).toBe(false);
    expect(quotedMessages('| `Hello there, friend.` | x | y |')).toEqual(['Hello there, friend.']);
  });
});
