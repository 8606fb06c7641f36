import { Writable } from 'node:stream';

/** Collects everything the app logs, so tests can assert what never appears in it. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.lines.push(chunk.toString('utf8'));
    callback();
  }
  text(): string {
    return this.lines.join('');
  }
}
