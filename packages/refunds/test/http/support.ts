/**
 * Shared by the HTTP tests: a ledger that can be taken down, a logger that keeps what it was
 * told, a receiver that records what the handler hands over, and the providers' documented
 * acknowledgements (PROVIDERS.md), to tell an acknowledgement from an answer the provider retries.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LedgerUnavailableError, MemoryLedger, type NotificationInput, type NotifyingProvider, type RefundLedger, type RefundsLogger } from '../../src/index.js';
import type { HandledNotification, NodeRequestListener, NotificationReceiver } from '../../src/index.js';

/** What each provider's sender counts as "received": anything else makes it deliver again. */
export const DOCUMENTED_ACKS = {
  easypay: { status: 200, contentType: 'application/json', body: '{"code":"000000","msg":"Success"}' },
  tipay: { status: 200, contentType: 'text/plain', body: 'SUCCESS' },
} as const;

export function isAcknowledged(provider: NotifyingProvider, status: number, body: string): boolean {
  return status === DOCUMENTED_ACKS[provider].status && body === DOCUMENTED_ACKS[provider].body;
}

/**
 * A MemoryLedger whose every method throws `LedgerUnavailableError` while `down` is set, as a
 * PostgreSQL ledger does when its server is unreachable. The message names a host, as a driver's
 * would: it must never reach an HTTP answer.
 */
export class SwitchableLedger implements RefundLedger {
  down = false;
  readonly inner = new MemoryLedger();
  #check(): void {
    if (this.down) throw new LedgerUnavailableError('connect ECONNREFUSED db.internal.example:5432 (user app)');
  }
  async reserve(...args: Parameters<RefundLedger['reserve']>) {
    this.#check();
    return this.inner.reserve(...args);
  }
  async update(...args: Parameters<RefundLedger['update']>) {
    this.#check();
    return this.inner.update(...args);
  }
  async get(...args: Parameters<RefundLedger['get']>) {
    this.#check();
    return this.inner.get(...args);
  }
  async history(...args: Parameters<RefundLedger['history']>) {
    this.#check();
    return this.inner.history(...args);
  }
  async refundsOf(...args: Parameters<RefundLedger['refundsOf']>) {
    this.#check();
    return this.inner.refundsOf(...args);
  }
  async orderAmount(...args: Parameters<RefundLedger['orderAmount']>) {
    this.#check();
    return this.inner.orderAmount(...args);
  }
  async record(...args: Parameters<RefundLedger['record']>) {
    this.#check();
    return this.inner.record(...args);
  }
  async changes(...args: Parameters<RefundLedger['changes']>) {
    this.#check();
    return this.inner.changes(...args);
  }
  async due(...args: Parameters<RefundLedger['due']>) {
    this.#check();
    return this.inner.due(...args);
  }
  async claim(...args: Parameters<RefundLedger['claim']>) {
    this.#check();
    return this.inner.claim(...args);
  }
  async keepUnmatched(...args: Parameters<RefundLedger['keepUnmatched']>) {
    this.#check();
    return this.inner.keepUnmatched(...args);
  }
  async unmatched(...args: Parameters<RefundLedger['unmatched']>) {
    this.#check();
    return this.inner.unmatched(...args);
  }
  async list(...args: Parameters<RefundLedger['list']>) {
    this.#check();
    return this.inner.list(...args);
  }
  async totals() {
    this.#check();
    return this.inner.totals();
  }
  async batches(...args: Parameters<RefundLedger['batches']>) {
    this.#check();
    return this.inner.batches(...args);
  }
  async health() {
    return this.down ? { ok: false, detail: 'down' } : this.inner.health();
  }
  async close() {
    await this.inner.close();
  }
}

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly details: Record<string, unknown> | undefined;
}

export function recordingLogger(): RefundsLogger & { readonly entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry['level']) => (message: string, details?: Record<string, unknown>) => void entries.push({ level, message, details });
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** One call the handler made. */
export interface Handed {
  readonly provider: NotifyingProvider;
  readonly notification: NotificationInput;
  readonly options: { readonly account?: string } | undefined;
  readonly argumentCount: number;
}

/** A receiver that records each call and answers `answer` (or throws what it returns as `throw`). */
export function recordingReceiver(answer: (call: Handed) => HandledNotification | { throw: unknown } = () => ({ ack: DOCUMENTED_ACKS.tipay })): NotificationReceiver & { readonly calls: Handed[] } {
  const calls: Handed[] = [];
  return {
    calls,
    async handleNotification(provider: NotifyingProvider, notification: NotificationInput, ...rest: [{ readonly account?: string }?]) {
      const call = { provider, notification, options: rest[0], argumentCount: 2 + rest.length };
      calls.push(call);
      const result = answer(call);
      if ('throw' in result) throw result.throw;
      return result;
    },
  };
}

/** A `node:http` server on 127.0.0.1, an ephemeral port; `close()` ends every connection too. */
export async function serve(listener: NodeRequestListener): Promise<{ readonly url: string; readonly port: number; close(): Promise<void> }> {
  const server: Server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
