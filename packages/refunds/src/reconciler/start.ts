// `startReconciler`: the reconciler in the background (for a long-running server), with a clean stop.
import { checkMs } from '../facade/input-checks.js';
import type { ReconcileOptions, ReconcileSummary } from './reconcile.js';

/** What `startReconciler` takes: a run's options, plus the pace and where results go. */
export interface ReconcilerOptions<P extends import('../model.js').ProviderKey = import('../model.js').ProviderKey> extends Omit<ReconcileOptions<P>, 'signal' | 'stopClaiming'> {
  /** The wait between the end of one run and the start of the next (default 60 000 ms). */
  readonly intervalMs?: number | undefined;
  /** Each run's summary. */
  readonly onRun?: ((summary: ReconcileSummary) => void) | undefined;
  /** A run that failed (the ledger unreachable, say): reported, and the next run goes ahead at its time. Default: ignored. */
  readonly onError?: ((error: unknown) => void) | undefined;
}

/** A running reconciler. */
export interface Reconciler {
  /**
   * Stops it: a query under way is cut off (it moves nothing; its claim is released), no refund
   * is taken after, and the promise resolves once the run under way has ended.
   */
  stop(): Promise<void>;
  /**
   * Stops it gently: no refund is claimed after this call, queries under way may finish and be
   * recorded for up to `graceMs` (default 10 000), then whatever is still under way is cut off as
   * by `stop`. Resolves once the run under way has ended.
   */
  drain(options?: { readonly graceMs?: number | undefined }): Promise<void>;
}

/** What `startReconciler` runs against: a `Refunds` instance. */
export interface Reconcilable<P extends import('../model.js').ProviderKey> {
  reconcile(options?: ReconcileOptions<P>): Promise<ReconcileSummary>;
}

/**
 * Runs `refunds.reconcile(options)` now and again every `intervalMs` after each run ends, until
 * stopped. Safe beside other reconcilers (other processes, other machines): each refund is
 * claimed in the ledger before it is queried.
 *
 * @example
 * const reconciler = startReconciler(refunds, { intervalMs: 60_000, onRun: (s) => logger.info('reconciled', s), onError: (e) => logger.error('reconcile failed', { e }) });
 * process.once('SIGTERM', () => void reconciler.stop().then(() => refunds.close()));
 */
export function startReconciler<P extends import('../model.js').ProviderKey>(refunds: Reconcilable<P>, options: ReconcilerOptions<P> = {}): Reconciler {
  const { intervalMs = 60_000, onRun, onError, ...run } = options;
  checkMs('intervalMs', intervalMs, 0);
  // Two stops: `draining` ends the claiming (and the wait between runs), `cut` also ends queries under way.
  const cut = new AbortController();
  const draining = new AbortController();
  const signal = cut.signal;
  const stopClaiming = draining.signal;
  const loop = (async () => {
    while (!stopClaiming.aborted) {
      try {
        const summary = await refunds.reconcile({ ...run, signal, stopClaiming });
        onRun?.(summary);
      } catch (error) {
        if (!signal.aborted) onError?.(error);
      }
      await new Promise<void>((resolve) => {
        if (stopClaiming.aborted) return resolve();
        const timer = setTimeout(resolve, intervalMs);
        stopClaiming.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  })();
  return {
    async stop() {
      cut.abort();
      draining.abort();
      await loop;
    },
    async drain({ graceMs = 10_000 } = {}) {
      checkMs('graceMs', graceMs, 0);
      draining.abort();
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'cut'>((resolve) => (timer = setTimeout(() => resolve('cut'), graceMs)));
      if ((await Promise.race([loop, graceOver])) === 'cut') cut.abort();
      clearTimeout(timer);
      await loop;
    },
  };
}
