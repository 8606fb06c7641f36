import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../config/env.ts';
import { keyFromMaterial } from '../core/secret-box.ts';
import { runMigrations } from '../db/migrate.ts';
import { chooseLogFormat, createLogger } from '../app/logging.ts';
import { lockDataDir } from '../db/data-dir-lock.ts';
import { openDeps, startNode } from '../app/runtime.ts';
import { createAdmin } from '../features/identity/first-admin.ts';
import { reencryptAll } from '../features/kernel/key-rotation.ts';
import { keyFileContent, loadKeyring, writeKeyFile } from '../features/kernel/keyring-store.ts';
import { AppError } from '../core/errors.ts';

const usage = `ucr — UCR Manager

  ucr serve           start web and worker in one process (default; npm start)
  ucr web             start only the HTTP server (needs DATABASE_URL)
  ucr worker          start only the background job worker (needs DATABASE_URL)
  ucr migrate         apply database migrations and exit
  ucr create-admin --email EMAIL [--password PASSWORD]
                      add an admin account (password from UCR_ADMIN_PASSWORD or stdin when not given)
  ucr rotate-key      re-encrypt every stored secret with the current key (see docs/security.md)

Configuration comes from environment variables; see README.md.`;

function configOrExit(overrides: NodeJS.ProcessEnv = {}): Config {
  const result = loadConfig({ ...process.env, ...overrides });
  if (!result.ok) {
    for (const problem of result.problems) console.error(`Configuration error: ${problem}`);
    process.exit(2);
  }
  return result.config;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

async function serve(role: 'all' | 'web' | 'worker'): Promise<void> {
  const config = configOrExit(role === 'all' ? {} : { UCR_ROLE: role });
  if (config.role !== 'all' && !config.databaseUrl) {
    console.error(`Configuration error: UCR_ROLE=${config.role} needs DATABASE_URL: separate web and worker processes must share a PostgreSQL database.`);
    process.exit(2);
  }
  const log = createLogger(config.logLevel, undefined, chooseLogFormat(config.logFormat, Boolean(process.stdout.isTTY)));
  const node = await startNode(config, log);
  let signals = 0;
  const shutdown = (signal: string) => {
    signals += 1;
    if (signals > 1) process.exit(1); // a second Ctrl-C means "now"
    log.info({ signal }, 'stop requested');
    node.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function main(): Promise<void> {
  const [command = 'serve', ...rest] = process.argv.slice(2);
  switch (command) {
    case 'serve':
      return serve('all');
    case 'web':
    case 'worker':
      return serve(command);
    case 'migrate': {
      const config = configOrExit();
      const log = createLogger(config.logLevel, undefined, chooseLogFormat(config.logFormat, Boolean(process.stdout.isTTY)));
      const { database, close } = await openForCommand(config, log);
      await runMigrations(database);
      await close();
      console.log('Migrations applied.');
      return;
    }
    case 'create-admin': {
      const { values } = parseArgs({ args: rest, options: { email: { type: 'string' }, password: { type: 'string' } } });
      if (!values.email) throw new AppError(2, 'usage', 'create-admin needs --email');
      const config = configOrExit();
      const password = values.password ?? config.adminPassword ?? (process.stdin.isTTY ? '' : await readStdin());
      if (!password) throw new AppError(2, 'usage', 'Give the password with --password, UCR_ADMIN_PASSWORD or on standard input.');
      const { deps, database, close } = await openForCommand(config, createLogger(config.logLevel, undefined, chooseLogFormat(config.logFormat, Boolean(process.stdout.isTTY))));
      try {
        await runMigrations(database);
        await createAdmin(deps, values.email, password);
      } finally {
        await close();
      }
      console.log(`Admin ${values.email.toLowerCase()} created; the password must be changed at first sign-in.`);
      return;
    }
    case 'rotate-key':
      return rotateKey();
    case 'help':
    case '--help':
    case '-h':
      console.log(usage);
      return;
    default:
      console.error(`Unknown command "${command}".\n\n${usage}`);
      process.exit(2);
  }
}

/**
 * With UCR_ENCRYPTION_KEY: re-encrypts under it, reading old values with UCR_ENCRYPTION_OLD_KEYS.
 * With the embedded key file: makes a new key, keeps the old one in the file until every value
 * is re-encrypted, then drops it. A crash in between leaves both keys, so nothing is lost.
 */
async function rotateKey(): Promise<void> {
  const config = configOrExit();
  const log = createLogger(config.logLevel, undefined, chooseLogFormat(config.logFormat, Boolean(process.stdout.isTTY)));
  const { database, close } = await openForCommand(config, log);
  try {
    await runMigrations(database);
    const source = loadKeyring({ encryptionKey: config.encryptionKey, oldKeys: config.encryptionOldKeys, dataDir: config.dataDir });
    if (source.kind === 'environment') {
      const result = await reencryptAll(database.db, source.keyring);
      console.log(`Re-encrypted ${result.reencrypted} secret(s) with key ${source.keyring.active.id}; ${result.alreadyCurrent} already used it. You can now remove UCR_ENCRYPTION_OLD_KEYS.`);
      return;
    }
    const next = { active: keyFromMaterial(randomBytes(32)), previous: [source.keyring.active, ...source.keyring.previous] };
    writeKeyFile(source.file, keyFileContent(next));
    const result = await reencryptAll(database.db, next);
    writeKeyFile(source.file, keyFileContent({ active: next.active, previous: [] }));
    console.log(`New key ${next.active.id} written to ${source.file}; re-encrypted ${result.reencrypted} secret(s).`);
  } finally {
    await close();
  }
}

/**
 * Opens the database for a one-off command. On PGlite it takes the data folder's lock first, so
 * a command run while the server is up is refused instead of corrupting the embedded database.
 */
async function openForCommand(config: Config, log: ReturnType<typeof createLogger>) {
  const unlock = config.databaseUrl ? () => {} : lockDataDir(config.dataDir);
  try {
    const { deps, database } = await openDeps(config, log);
    return {
      deps,
      database,
      close: async () => {
        await database.close();
        unlock();
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}

main().catch((error: unknown) => {
  if (error instanceof AppError) {
    console.error(error.message);
    process.exit(2);
  }
  const message = error instanceof Error ? error.message : String(error);
  console.error(`ucr: ${message}`);
  process.exit(1);
});
