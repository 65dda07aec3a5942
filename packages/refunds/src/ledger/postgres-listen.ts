// LISTEN for the change feed: one connection of the ledger's pool, held while anyone follows.
import type { PostgresPool, PostgresPoolClient } from './postgres-driver.js';
import { ChangeWakers } from '../changes/wakers.js';

/** A notification as node-postgres emits it. */
interface Notification {
  readonly channel: string;
  readonly payload?: string | undefined;
}

/** A pool client that also emits notifications (a `pg.PoolClient` does). */
type ListeningClient = PostgresPoolClient & {
  on(event: 'notification', listener: (message: Notification) => void): unknown;
  off(event: 'notification', listener: (message: Notification) => void): unknown;
};

/** How long to wait before opening a lost LISTEN connection again. */
const RECONNECT_MS = 1_000;
/**
 * How long the connection stays after the last watcher left: a follower watches during each of
 * its waits, not between them, and must not cost a LISTEN and an UNLISTEN per read.
 */
const LINGER_MS = 10_000;

/**
 * Wakes this ledger's followers when any process commits a change: `LISTEN <channel>` on one
 * connection taken from the pool at the first watcher and given back after the last. The
 * payload names the schema, so followers of other ledgers in the database are not woken. A lost
 * connection is opened again after {@link RECONNECT_MS}; the followers are woken then as well,
 * since a notification may have been missed meanwhile (they read, and find it).
 */
export class ChangeListener {
  readonly #wakers = new ChangeWakers();
  #client: ListeningClient | undefined;
  #opening: Promise<void> | undefined;
  #retry: NodeJS.Timeout | undefined;
  #linger: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    readonly pool: PostgresPool,
    readonly channel: string,
    readonly schema: string,
  ) {}

  add(listener: () => void): () => void {
    const remove = this.#wakers.add(listener);
    if (this.#linger) clearTimeout(this.#linger);
    this.#linger = undefined;
    if (!this.#client && !this.#opening && !this.#retry) void this.#open();
    return () => {
      remove();
      if (this.#wakers.size > 0 || this.#linger) return;
      this.#linger = setTimeout(() => {
        this.#linger = undefined;
        if (this.#wakers.size === 0) this.#stop();
      }, LINGER_MS);
      this.#linger.unref();
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#linger) clearTimeout(this.#linger);
    this.#linger = undefined;
    await this.#opening;
    this.#stop();
  }

  #open(): Promise<void> {
    this.#opening = (async () => {
      let client: ListeningClient | undefined;
      try {
        client = (await this.pool.connect()) as ListeningClient;
        client.on('notification', this.#onNotification);
        client.on('error', this.#onError);
        await client.query(`LISTEN ${this.channel}`);
        if (this.#closed) throw new Error('the ledger was closed');
        this.#client = client;
        // What committed before LISTEN took effect was sent to nobody: followers read once more.
        this.#wakers.wake();
      } catch (error) {
        if (client) this.#drop(client, error instanceof Error ? error : true);
        this.#scheduleRetry();
      } finally {
        this.#opening = undefined;
      }
    })();
    return this.#opening;
  }

  readonly #onNotification = (message: Notification): void => {
    if (message.channel === this.channel && message.payload === this.schema) this.#wakers.wake();
  };

  readonly #onError = (error: Error): void => {
    const client = this.#client;
    this.#client = undefined;
    if (client) this.#drop(client, error);
    this.#wakers.wake();
    this.#scheduleRetry();
  };

  #scheduleRetry(): void {
    if (this.#closed || this.#wakers.size === 0 || this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (!this.#closed && this.#wakers.size > 0 && !this.#client) void this.#open();
    }, RECONNECT_MS);
    this.#retry.unref();
  }

  /** Gives the connection back: UNLISTEN first when it is healthy, so the pool's next user hears nothing. */
  #stop(): void {
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = undefined;
    const client = this.#client;
    this.#client = undefined;
    if (!client) return;
    client
      .query(`UNLISTEN ${this.channel}`)
      .then(
        () => this.#drop(client, false),
        (error: unknown) => this.#drop(client, error instanceof Error ? error : true),
      );
  }

  #drop(client: ListeningClient, destroy: Error | boolean): void {
    client.off('notification', this.#onNotification);
    // Keep swallowing errors of a connection on its way out; without a listener Node would crash.
    client.off('error', this.#onError);
    if (destroy !== false) client.on('error', () => {});
    client.release(destroy);
  }
}
