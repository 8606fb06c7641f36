import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Configuration comes only from environment variables, validated once at start-up.
 * Every problem is reported as one line naming the variable, so an operator can fix
 * all of them in one go instead of one restart per mistake.
 */

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const logFormats = ['pretty', 'json'] as const;
export type LogFormat = (typeof logFormats)[number];

const postgresUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
  } catch {
    return false;
  }
}, 'must be a URL like postgres://user:password@host:5432/database');

const encryptionKey = z.string().refine(
  (value) => decodeKeyMaterial(value) !== undefined,
  'must be 32 random bytes as 64 hex characters or 44 base64 characters (generate one with: openssl rand -base64 32)',
);

const port = z.coerce
  .number({ message: 'must be a whole number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

const positiveMinutes = z.coerce.number({ message: 'must be a number of minutes' }).int().positive('must be a positive number of minutes');

const boolFlag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** An address or a CIDR block, as Fastify's trustProxy takes them. */
function isAddressOrBlock(value: string): boolean {
  const [address = '', prefix, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Which proxies may tell us the client's address: `true` trusts every hop (only when nothing
 * but your proxy can reach the app), a number trusts that many hops, a list trusts those addresses.
 */
const trustProxy = z
  .string()
  .trim()
  .transform((value, ctx): boolean | number | string[] => {
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    if (/^\d+$/.test(value)) return Number(value);
    const list = value.split(',').map((v) => v.trim());
    if (list.every(isAddressOrBlock)) return list;
    ctx.addIssue({ code: 'custom', message: 'must be true, false, a number of proxy hops, or a comma-separated list of proxy addresses/CIDR blocks (e.g. 10.0.0.5,192.168.0.0/16)' });
    return z.NEVER;
  });

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/i;

/** Our own tenant only: the multi-tenant aliases would accept accounts of any organisation. */
const entraTenant = z
  .string()
  .trim()
  .refine((v) => !['common', 'organizations', 'consumers'].includes(v.toLowerCase()), 'must be your own tenant (its GUID or a verified domain), not common, organizations or consumers')
  .refine((v) => GUID.test(v) || DOMAIN.test(v), 'must be the tenant id (a GUID) or a verified domain such as contoso.onmicrosoft.com');

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const entraAuthority = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname))) && url.search === '' && url.hash === '';
  } catch {
    return false;
  }
}, 'must be an https URL such as https://login.microsoftonline.com (plain http only on localhost, for the simulator)');

const envSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1, 'must not be empty').default('0.0.0.0'),
  DATABASE_URL: postgresUrl.optional(),
  UCR_DATA_DIR: z.string().min(1, 'must not be empty').default('./data'),
  UCR_ENCRYPTION_KEY: encryptionKey.optional(),
  UCR_ENCRYPTION_OLD_KEYS: z
    .string()
    .optional()
    .refine(
      (value) => value === undefined || value.split(',').every((k) => decodeKeyMaterial(k.trim()) !== undefined),
      'must be a comma-separated list of keys in the same format as UCR_ENCRYPTION_KEY',
    ),
  UCR_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  UCR_ADMIN_EMAIL: z.string().email('must be an email address').default('admin@ucr.local'),
  UCR_ROLE: z.enum(['all', 'web', 'worker'], { message: 'must be one of: all, web, worker' }).default('all'),
  UCR_PUBLIC_URL: z.string().url('must be an absolute URL such as https://ucr.example.com').optional(),
  UCR_TRUST_PROXY: trustProxy.default(false),
  UCR_TLS_CERT_FILE: z.string().optional(),
  UCR_TLS_KEY_FILE: z.string().optional(),
  UCR_SESSION_IDLE_MINUTES: positiveMinutes.default(30),
  UCR_SESSION_ABSOLUTE_MINUTES: positiveMinutes.default(12 * 60),
  UCR_DEMO: boolFlag.optional(),
  UCR_ENTRA_TENANT: entraTenant.optional(),
  UCR_ENTRA_CLIENT_ID: z.string().trim().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be the application (client) id of the app registration, usually a GUID').optional(),
  UCR_ENTRA_CLIENT_SECRET: z.string().min(1).optional(),
  UCR_ENTRA_AUTHORITY: entraAuthority.default('https://login.microsoftonline.com'),
  UCR_PWSH_PATH: z.string().min(1).optional(),
  UCR_DEMO_GRAPH_URL: z.string().url('must be a URL').optional(),
  UCR_DEMO_LOGIN_URL: z.string().url('must be a URL').optional(),
  UCR_DEMO_CONNECTWISE_URL: z.string().url('must be a URL').optional(),
  UCR_DEMO_THREECX_URL: z.string().url('must be a URL').optional(),
  UCR_BULK_CONCURRENCY: z.coerce.number({ message: 'must be a whole number' }).int('must be a whole number').min(1, 'must be between 1 and 64').max(64, 'must be between 1 and 64').default(12),
  UCR_SIGNIN_RATE_LIMIT: z.coerce.number({ message: 'must be a whole number' }).int().min(1, 'must be at least 1').default(30),
  UCR_CONNECTOR_TIMEOUT_SECONDS: z.coerce.number({ message: 'must be a number of seconds' }).min(0.1, 'must be at least 0.1 seconds').max(600, 'must be at most 600 seconds').default(30),
  LOG_LEVEL: z.enum(logLevels, { message: `must be one of: ${logLevels.join(', ')}` }).default('info'),
  LOG_FORMAT: z.enum(logFormats, { message: `must be one of: ${logFormats.join(', ')}` }).optional(),
});

export type Config = {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  encryptionKey: string | undefined;
  encryptionOldKeys: string[];
  adminPassword: string | undefined;
  adminEmail: string;
  role: 'all' | 'web' | 'worker';
  publicUrl: string | undefined;
  /** Fastify's trustProxy: every hop, a number of hops, or the proxies' addresses. */
  trustProxy: boolean | number | string[];
  tls: { certFile: string; keyFile: string } | undefined;
  sessionIdleMinutes: number;
  sessionAbsoluteMinutes: number;
  /** Seed the demo tenant; on by default for the embedded database, off for PostgreSQL. */
  demo: boolean;
  /** PowerShell 7 with the MicrosoftTeams module, for the optional policy-catalog bridge. */
  pwshPath: string | undefined;
  /** Where the demo tenant's Microsoft endpoints are (the built-in simulators under npm start). */
  demoEndpoints: { graphBaseUrl: string; loginBaseUrl: string } | undefined;
  /** Where the demo tenant's (simulated) ConnectWise Manage site answers, under npm start. */
  demoConnectWiseUrl: string | undefined;
  /** Where the demo tenant's 3CX PBX is (the built-in 3CX simulator under npm start). */
  demoThreeCxUrl: string | undefined;
  /** Rows of bulk jobs one worker runs at once (Graph's throttling still paces them). */
  bulkConcurrency: number;
  /** Sign-in attempts (password or MFA step) per client address per minute. */
  signInRateLimit: number;
  /** How long one call to Microsoft Graph, ConnectWise or 3CX may take before it counts as failed (then retried). */
  connectorTimeoutMs: number;
  /** Operator sign-in with Entra ID (OpenID Connect) as the environment sets it; undefined when it does not. */
  entra: EntraConfig | undefined;
  /**
   * Which Entra sign-in fields the environment sets (they win over what an admin saves in
   * Settings), and the authority to use when neither sets one.
   */
  entraEnvironment: { fields: Array<keyof EntraConfig>; authority: string };
  logLevel: (typeof logLevels)[number];
  /** pretty: one readable line per event; json: pino's lines for log collectors. Unset: pretty on a terminal, json otherwise. */
  logFormat: LogFormat | undefined;
};

export type EntraConfig = {
  /** Tenant GUID or verified domain of the MSP's own Entra ID tenant. */
  tenant: string;
  clientId: string;
  clientSecret: string;
  /** Base URL of the identity platform, without a trailing slash. */
  authority: string;
};

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

export function loadConfig(env: NodeJS.ProcessEnv): ConfigResult {
  // Treat empty variables as unset: `FOO= npm start` should mean "default", not "invalid".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`${issue.path.join('.')}: ${issue.message}`);
    }
    return { ok: false, problems };
  }
  const e = parsed.data;
  if (Boolean(e.UCR_TLS_CERT_FILE) !== Boolean(e.UCR_TLS_KEY_FILE)) {
    problems.push('UCR_TLS_CERT_FILE and UCR_TLS_KEY_FILE: set both or neither');
  }
  const entraSet = { UCR_ENTRA_TENANT: e.UCR_ENTRA_TENANT, UCR_ENTRA_CLIENT_ID: e.UCR_ENTRA_CLIENT_ID, UCR_ENTRA_CLIENT_SECRET: e.UCR_ENTRA_CLIENT_SECRET };
  const entraMissing = Object.entries(entraSet).filter(([, v]) => !v).map(([k]) => k);
  if (entraMissing.length > 0 && entraMissing.length < 3) {
    problems.push(`UCR_ENTRA_TENANT, UCR_ENTRA_CLIENT_ID and UCR_ENTRA_CLIENT_SECRET: set all three for Entra ID sign-in, or none (missing: ${entraMissing.join(', ')})`);
  }
  if (e.UCR_ROLE !== 'all' && e.DATABASE_URL && !e.UCR_ENCRYPTION_KEY) {
    // Without it each node would make its own key file and could not read the others' secrets.
    problems.push(`UCR_ENCRYPTION_KEY: required with UCR_ROLE=${e.UCR_ROLE}: every node must encrypt with the same key (generate one with: openssl rand -base64 32)`);
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      port: e.PORT,
      host: e.HOST,
      databaseUrl: e.DATABASE_URL,
      dataDir: e.UCR_DATA_DIR,
      encryptionKey: e.UCR_ENCRYPTION_KEY,
      encryptionOldKeys: e.UCR_ENCRYPTION_OLD_KEYS ? e.UCR_ENCRYPTION_OLD_KEYS.split(',').map((k) => k.trim()) : [],
      adminPassword: e.UCR_ADMIN_PASSWORD,
      adminEmail: e.UCR_ADMIN_EMAIL.toLowerCase(),
      role: e.UCR_ROLE,
      publicUrl: e.UCR_PUBLIC_URL,
      trustProxy: e.UCR_TRUST_PROXY,
      tls: e.UCR_TLS_CERT_FILE && e.UCR_TLS_KEY_FILE ? { certFile: e.UCR_TLS_CERT_FILE, keyFile: e.UCR_TLS_KEY_FILE } : undefined,
      sessionIdleMinutes: e.UCR_SESSION_IDLE_MINUTES,
      sessionAbsoluteMinutes: e.UCR_SESSION_ABSOLUTE_MINUTES,
      demo: e.UCR_DEMO ?? e.DATABASE_URL === undefined,
      signInRateLimit: e.UCR_SIGNIN_RATE_LIMIT,
      bulkConcurrency: e.UCR_BULK_CONCURRENCY,
      connectorTimeoutMs: Math.round(e.UCR_CONNECTOR_TIMEOUT_SECONDS * 1000),
      pwshPath: e.UCR_PWSH_PATH,
      demoEndpoints: e.UCR_DEMO_GRAPH_URL && e.UCR_DEMO_LOGIN_URL ? { graphBaseUrl: e.UCR_DEMO_GRAPH_URL, loginBaseUrl: e.UCR_DEMO_LOGIN_URL } : undefined,
      demoConnectWiseUrl: e.UCR_DEMO_CONNECTWISE_URL?.replace(/\/+$/, ''),
      demoThreeCxUrl: e.UCR_DEMO_THREECX_URL,
      entra:
        e.UCR_ENTRA_TENANT && e.UCR_ENTRA_CLIENT_ID && e.UCR_ENTRA_CLIENT_SECRET
          ? { tenant: e.UCR_ENTRA_TENANT, clientId: e.UCR_ENTRA_CLIENT_ID, clientSecret: e.UCR_ENTRA_CLIENT_SECRET, authority: e.UCR_ENTRA_AUTHORITY.replace(/\/+$/, '') }
          : undefined,
      entraEnvironment: {
        fields: [...(e.UCR_ENTRA_TENANT && e.UCR_ENTRA_CLIENT_ID && e.UCR_ENTRA_CLIENT_SECRET ? (['tenant', 'clientId', 'clientSecret'] as const) : []), ...(cleaned.UCR_ENTRA_AUTHORITY ? (['authority'] as const) : [])],
        authority: e.UCR_ENTRA_AUTHORITY.replace(/\/+$/, ''),
      },
      logLevel: e.LOG_LEVEL,
      logFormat: e.LOG_FORMAT,
    },
  };
}

/** Decodes a 256-bit key given as hex or base64; undefined when it is anything else. */
export function decodeKeyMaterial(value: string): Buffer | undefined {
  const trimmed = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const buf = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (buf.length === 32) return buf;
  }
  return undefined;
}
