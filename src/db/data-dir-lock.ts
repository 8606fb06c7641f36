import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * PGlite keeps its files in one folder that only one process may open. A lock file with the
 * owner's pid turns a second `npm start` into a clear refusal instead of a corrupted database.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(path.resolve(dataDir), 'ucr.lock');
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch {
    const owner = Number(readFileSync(file, 'utf8'));
    if (owner && owner !== process.pid && isAlive(owner)) {
      throw new Error(`Another UCR Manager process (pid ${owner}) is using ${dataDir}. The embedded database serves one process; use PostgreSQL (DATABASE_URL) to run several.`);
    }
    writeFileSync(file, String(process.pid)); // stale lock from a crashed process
  }
  return () => rmSync(file, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
