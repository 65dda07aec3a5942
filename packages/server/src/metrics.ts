// Prometheus metrics (prom-client: the standard Node client, text format, default process
// metrics). Refund counts are read from the ledger at each scrape, so they are the truth across
// every process sharing the ledger, not this process's view; exchanges and notifications are
// counted as this process sees them.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ReconcileSummary, RefundTotal, ResponseEvent } from '@refundkit/refunds';

/** What the metrics read at each scrape. */
export interface MetricsSource {
  totals(): Promise<RefundTotal[]>;
}

export interface ServerMetrics {
  readonly registry: Registry;
  /** `onResponse` of `createRefunds`: one observation per provider exchange. */
  observeExchange(event: ResponseEvent): void;
  /** One notification handled (`applied`, `duplicate`, `refused`, `unmatched`, `deferred`, or `error`). */
  countNotification(provider: string, outcome: string): void;
  /** One background reconciler run: its refunds by what became of them. */
  countReconcileRun(summary: ReconcileSummary): void;
  /** The Prometheus text exposition. */
  render(): Promise<string>;
  readonly contentType: string;
}

export function createMetrics(source: MetricsSource, options: { processMetrics?: boolean } = {}): ServerMetrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'refundkit_process_' });
  const refunds = new Gauge({ name: 'refundkit_refunds', help: 'Refunds in the ledger by provider, account and status', labelNames: ['provider', 'account', 'status'] as const, registers: [registry] });
  const amounts = new Gauge({ name: 'refundkit_refund_amount_minor_units', help: 'Sum of refund amounts in the ledger (minor units) by provider, account and status', labelNames: ['provider', 'account', 'status'] as const, registers: [registry] });
  const backlog = new Gauge({ name: 'refundkit_reconciler_backlog', help: 'Refunds pending or unknown (what the reconciler still has to resolve) by provider and account', labelNames: ['provider', 'account'] as const, registers: [registry] });
  const exchanges = new Histogram({
    name: 'refundkit_provider_exchange_seconds',
    help: 'Provider exchanges by provider, operation and outcome (HTTP status, or the transport error)',
    labelNames: ['provider', 'operation', 'outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const notifications = new Counter({ name: 'refundkit_notifications_total', help: 'Notifications handled by provider and outcome', labelNames: ['provider', 'outcome'] as const, registers: [registry] });
  const reconciled = new Counter({
    name: 'refundkit_reconciler_checks_total',
    help: "Refunds this process's reconciler queried, by what they became (succeeded, failed, pending, unknown), and those it skipped",
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const scrapeError = new Gauge({ name: 'refundkit_ledger_scrape_errors', help: '1 when the last scrape could not read the ledger', registers: [registry] });

  async function readLedger(): Promise<void> {
    let totals: RefundTotal[];
    try {
      totals = await source.totals();
      scrapeError.set(0);
    } catch {
      // The ledger is down: the refund gauges keep their last values, and this says so.
      scrapeError.set(1);
      return;
    }
    refunds.reset();
    amounts.reset();
    backlog.reset();
    for (const total of totals) {
      refunds.set({ provider: total.provider, account: total.account, status: total.status }, total.count);
      amounts.set({ provider: total.provider, account: total.account, status: total.status }, total.amount);
      if (total.status === 'pending' || total.status === 'unknown') backlog.inc({ provider: total.provider, account: total.account }, total.count);
    }
  }

  return {
    registry,
    observeExchange(event) {
      exchanges.observe({ provider: event.provider, operation: event.operation, outcome: event.status !== undefined ? String(event.status) : (event.error ?? 'error') }, event.durationMs / 1_000);
    },
    countNotification(provider, outcome) {
      notifications.inc({ provider, outcome });
    },
    countReconcileRun(summary) {
      reconciled.inc({ outcome: 'succeeded' }, summary.resolved.succeeded);
      reconciled.inc({ outcome: 'failed' }, summary.resolved.failed);
      reconciled.inc({ outcome: 'pending' }, summary.stillPending);
      reconciled.inc({ outcome: 'unknown' }, summary.stillUnknown);
      reconciled.inc({ outcome: 'skipped' }, summary.skipped);
    },
    async render() {
      await readLedger();
      return registry.metrics();
    },
    contentType: registry.contentType,
  };
}
