/**
 * Live updates for the pages: one follower of the change feed per console (started with the
 * first page that listens, stopped with the last), broadcast to every open page as server-sent
 * events. A page refetches what it shows when a change comes; the event says which refund moved
 * and how (no amounts beyond the feed's, no answer text).
 *
 * The follower first reads to the end of the feed without sending anything (a page wants what
 * happens from now on), then passes each new change on.
 */
import type { ServerResponse } from 'node:http';
import { followChanges, type RefundChange } from '@refundkit/refunds';
import type { ConsoleRefunds } from './ledger-api.js';

/** How often an idle stream says it is alive (proxies drop silent connections). */
const KEEPALIVE_MS = 15_000;

export class LiveChanges {
  readonly #refunds: ConsoleRefunds;
  readonly #pollMs: number;
  readonly #clients = new Set<ServerResponse>();
  #stop: AbortController | undefined;

  constructor(refunds: ConsoleRefunds, options: { readonly pollMs?: number } = {}) {
    this.#refunds = refunds;
    this.#pollMs = options.pollMs ?? 500;
  }

  /** Streams changes to `res` (an SSE response) until the page goes away. */
  attach(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': refundkit console: changes follow\n\n');
    this.#clients.add(res);
    const keepalive = setInterval(() => res.write(': alive\n\n'), KEEPALIVE_MS);
    keepalive.unref();
    res.on('close', () => {
      clearInterval(keepalive);
      this.#clients.delete(res);
      if (this.#clients.size === 0) this.close();
    });
    if (this.#stop === undefined) this.#follow();
  }

  /** Ends every stream and the follower. */
  close(): void {
    this.#stop?.abort();
    this.#stop = undefined;
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }

  #broadcast(change: RefundChange): void {
    const data = JSON.stringify({ seq: change.seq, at: change.at, provider: change.provider, account: change.account, orderId: change.orderId, refundId: change.refundId, from: change.from, to: change.to, source: change.source });
    for (const res of this.#clients) res.write(`id: ${change.seq}\nevent: change\ndata: ${data}\n\n`);
  }

  #follow(): void {
    const stop = new AbortController();
    this.#stop = stop;
    void (async () => {
      let after = 0;
      // To the end of the feed, silently: pages want what happens from now on.
      for (;;) {
        const batch = await this.#refunds.changes({ after, limit: 10_000 });
        if (batch.length === 0) break;
        after = batch[batch.length - 1]!.seq;
      }
      // Then the library's follower: in seq order, each once, woken by the ledger's own writes
      // (and PostgreSQL's NOTIFY), reading again every pollMs for other processes' changes;
      // an unreachable ledger is waited out.
      await followChanges(this.#refunds, { after, signal: stop.signal, pollMs: this.#pollMs, batch: 500, onChange: (change) => this.#broadcast(change) });
    })().catch(() => {
      // The ledger failed: the pages keep what they show; the next page that listens starts a new follower.
      if (this.#stop === stop) this.#stop = undefined;
    });
  }
}
