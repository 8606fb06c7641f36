import pg from 'pg';
import type { Logger } from 'pino';
import type { Database } from '../../db/connection.ts';

/** The channel the database triggers of migration 0018 announce access changes on; the payload is the operator's id. */
export const ACCESS_CHANNEL = 'ucr_access';
/** How the listener shows up in pg_stat_activity (and how a test finds it to cut it). */
export const ACCESS_LISTENER_NAME = 'ucr-access-listener';

type Entry<T> = { value: T; operatorId: string; loadedAt: number };

/**
 * Who a session cookie or API token is (its row and its operator's row, which carries role and
 * tenant scope), kept per process so a request does not read them again. Keyed by the SHA-256
 * the database keys them by; only live answers are kept, never refusals.
 *
 * Freshness: every write that can change an operator's access fires a NOTIFY from a trigger (so
 * no write path can forget it), and the listener drops that operator's entries as soon as the
 * notification arrives — on every node listening to the same database. The TTL is only a safety
 * net. While the listener is not connected (starting, or its connection dropped) the cache is
 * empty and bypassed: every request reads the database, so a missed notification can never
 * leave a stale answer behind. An epoch guards the race of a lookup that read the old rows
 * before an invalidation and would store them after it.
 */
export class AccessCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private epoch = 0;
  private live = false;

  /** Whose access an answer is: the operator a notification names. */
  private readonly operatorOf: (value: T) => string;
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(operatorOf: (value: T) => string, ttlMs: number, maxEntries: number) {
    this.operatorOf = operatorOf;
    this.ttlMs = ttlMs;
    this.maxEntries = maxEntries;
  }

  /** Whether answers are being kept (the listener is connected). */
  get isLive(): boolean {
    return this.live;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): T | undefined {
    if (!this.live) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (performance.now() - entry.loadedAt > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Runs the database lookup and keeps a live answer, unless an invalidation happened meanwhile. */
  async load(key: string, lookup: () => Promise<T | undefined>): Promise<T | undefined> {
    const epoch = this.epoch;
    const value = await lookup();
    if (!value) this.entries.delete(key);
    else if (this.live && epoch === this.epoch) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, { value, operatorId: this.operatorOf(value), loadedAt: performance.now() });
    }
    return value;
  }

  /** Keeps a changed bookkeeping value (last seen, last used) of an entry this node holds. */
  update(key: string, value: T): void {
    const entry = this.entries.get(key);
    if (entry) entry.value = value;
  }

  forgetOperator(operatorId: string): void {
    this.epoch++;
    for (const [key, entry] of this.entries) if (entry.operatorId === operatorId) this.entries.delete(key);
  }

  clear(): void {
    this.epoch++;
    this.entries.clear();
  }

  setLive(live: boolean): void {
    this.clear();
    this.live = live;
  }
}

export type AccessListener = {
  /**
   * Resolves once every notification committed before the call has reached this node, so an
   * entry still in the cache afterwards is current; false when the listener is down (then
   * answer from the database).
   */
  sync(): Promise<boolean>;
  stop(): Promise<void>;
};

/**
 * Listens on ACCESS_CHANNEL and forgets the named operator in every cache given.
 *
 * PostgreSQL: a dedicated connection (not from the pool: a pooled client would be handed to
 * queries and lose its LISTEN). When it errors or ends, the caches go dark (cleared, bypassed)
 * and it reconnects with a growing pause; once LISTEN succeeds again they are cleared once more
 * (notifications sent in the gap are lost) and used again.
 *
 * Why sync() is exact on PostgreSQL: a commit signals every listening backend before the writer
 * is answered, and a backend sends the notifications it was signalled for before the result of
 * any later query on its connection. So one `select 1` on the LISTEN connection, started after a
 * request arrived, returns only after every change committed before that request has been
 * applied here. Concurrent requests share one such round trip (one in flight, one queued); it
 * replaces the token or session lookup (a join returning two wide rows) and its bookkeeping.
 *
 * PGlite: one embedded database that only one process can open (src/db/data-dir-lock.ts), so
 * there is only ever one node; its listen() queues the callbacks while the committing query's
 * answer is parsed, before that query returns, so sync() has nothing to wait for.
 */
export function startAccessListener(database: Database, log: Logger, caches: Array<{ forgetOperator(id: string): void; setLive(live: boolean): void }>): { started: Promise<void>; listener: AccessListener } {
  let live = false;
  const forget = (payload: string | undefined) => {
    if (payload) for (const cache of caches) cache.forgetOperator(payload);
  };
  const setLive = (value: boolean) => {
    live = value;
    for (const cache of caches) cache.setLive(value);
  };

  if (database.kind === 'pglite') {
    let unlisten: (() => Promise<void>) | undefined;
    const started = database.pglite.listen(ACCESS_CHANNEL, forget).then(
      (stop) => {
        unlisten = stop;
        setLive(true);
      },
      (error: unknown) => log.warn({ err: error }, 'access cache off: PGlite listen failed; every request reads the database'),
    );
    return {
      started,
      listener: {
        sync: async () => live,
        async stop() {
          setLive(false);
          await started;
          await unlisten?.().catch(() => {});
        },
      },
    };
  }

  let stopped = false;
  let client: pg.Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let pauseMs = 250;

  const connect = async (): Promise<void> => {
    if (stopped) return;
    const next = new pg.Client({ connectionString: database.url, application_name: ACCESS_LISTENER_NAME });
    client = next;
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost || stopped) return;
      lost = true;
      setLive(false);
      log.warn({ err: error }, 'access cache off: its LISTEN connection was lost; every request reads the database until it is back');
      next.end().catch(() => {});
      retryTimer = setTimeout(() => void connect(), pauseMs);
      pauseMs = Math.min(pauseMs * 2, 10_000);
    };
    next.on('error', onLost);
    next.on('end', () => onLost());
    next.on('notification', (message) => {
      if (message.channel === ACCESS_CHANNEL) forget(message.payload);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${ACCESS_CHANNEL}`);
      if (stopped || lost) return;
      pauseMs = 250;
      setLive(true);
    } catch (error) {
      onLost(error as Error);
    }
  };

  let current: Promise<boolean> | undefined;
  let queued: Promise<boolean> | undefined;
  const roundTrip = (): Promise<boolean> => {
    const listening = client;
    if (!live || !listening) return Promise.resolve(false);
    return listening.query('select 1').then(
      () => live && client === listening,
      () => false, // the connection's error handler takes the caches dark
    );
  };
  const sync = (): Promise<boolean> => {
    if (!current) {
      current = roundTrip().finally(() => (current = undefined));
      return current;
    }
    // The round trip in flight may have started before this request arrived: wait for the next one.
    queued ??= current.then(() => {
      queued = undefined;
      return sync();
    });
    return queued;
  };
  const started = connect();
  return {
    started,
    listener: {
      sync,
      async stop() {
        stopped = true;
        clearTimeout(retryTimer);
        setLive(false);
        await started;
        await client?.end().catch(() => {});
      },
    },
  };
}
