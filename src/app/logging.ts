import pino, { type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import type { LogFormat } from '../config/env.ts';

/**
 * Anything that could carry a credential is redacted by path, and URLs lose the values of
 * query parameters with credential-like names (OIDC codes, tokens). Request and response
 * bodies are never logged.
 */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.temporaryPassword',
  '*.oneTimePassword',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.refresh_token',
  '*.clientSecret',
  '*.client_secret',
  '*.privateKey',
  '*.secret',
  '*.recoveryCode',
  '*.recoveryCodes',
  '*.csrfToken',
  'password',
  'token',
  'secret',
];

const SENSITIVE_QUERY = /^(code|token|access_token|id_token|refresh_token|client_secret|password|secret|state|session_state|key)$/i;

export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const key of [...params.keys()]) if (SENSITIVE_QUERY.test(key)) params.set(key, '[REDACTED]');
  return `${url.slice(0, q)}?${params.toString()}`;
}

/**
 * Readable lines for a person at a terminal, JSON for everything else (a service manager, a
 * container runtime, a log shipper) and whenever LOG_FORMAT=json asks for it.
 */
export function chooseLogFormat(setting: LogFormat | undefined, stdoutIsTerminal: boolean): LogFormat {
  return setting ?? (stdoutIsTerminal ? 'pretty' : 'json');
}

/**
 * The app's logger. Redaction happens in pino before a line is written, so the readable format
 * hides the same secrets as the JSON one.
 */
export function createLogger(level: string, destination?: DestinationStream, format: LogFormat = 'json'): Logger {
  // JSON lines to stdout are written asynchronously: under load the lines of many requests go out
  // in one write instead of one system call each (about 5 % of the server's CPU on the API bench,
  // #16). pino flushes what is pending synchronously when the process exits, crashes included;
  // only a SIGKILL can lose the last lines.
  const out = format === 'pretty' ? pinoPretty({ destination: destination ?? 1, colorize: !destination && Boolean(process.stdout.isTTY), translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true, sync: true }) : (destination ?? pino.destination({ dest: 1, sync: false }));
  return pino(
    {
      level,
      redact: { paths: redactPaths, censor: '[REDACTED]' },
      serializers: {
        req: (req: { method: string; url: string; id: string; ip?: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url), ip: req.ip }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        err: pino.stdSerializers.err,
      },
    },
    out,
  );
}
