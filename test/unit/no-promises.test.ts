import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * No screen or doc promises a feature for later: what the product shows and says is what it does.
 * (The first Overview said "3CX and tickets are on their way" long after both worked.)
 */
const root = new URL('../../', import.meta.url).pathname;
const promise = /coming soon|on (its|their) way|(?<!as )\bsoon\b(?! as)|\b(is|are) next\b|\(later\)|will (be added|come later)|\b3CX follows\b|not (yet )?available yet/i;

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'images' ? [] : files(path, ext);
    return ext.test(name) ? [path] : [];
  });
}

describe('screens and docs', () => {
  it('promise nothing for later', () => {
    const scanned = [...files(join(root, 'src/web'), /\.(tsx?|html)$/), ...files(join(root, 'docs'), /\.md$/), join(root, 'README.md')];
    expect(scanned.length).toBeGreaterThan(50);
    const hits = scanned.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (promise.test(line) ? [`${relative(root, file)}:${i + 1}: ${line.trim().slice(0, 160)}`] : [])),
    );
    expect(hits).toEqual([]);
  });
});
