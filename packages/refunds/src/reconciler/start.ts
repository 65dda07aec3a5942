// `startReconciler`: the reconciler in the background (for a long-running server), with a clean stop.
import { checkMs } from '../facade/input-checks.js';
import type { ReconcileOptions, ReconcileSummary } from './reconcile.js';

/** What `startReconciler` takes: a run's options, plus the pace and where results go. */
export interface ReconcilerOptions<P extends import('../model.js').ProviderKey = import('../model.js').ProviderKey> extends Omit<ReconcileOptions<P>, 'signal'> {
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
  const controller = new AbortController();
  const { signal } = controller;
  const loop = (async () => {
    while (!signal.aborted) {
      try {
        const summary = await refunds.reconcile({ ...run, signal });
        onRun?.(summary);
      } catch (error) {
        if (!signal.aborted) onError?.(error);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  })();
  return {
    async stop() {
      controller.abort();
      await loop;
    },
  };
}
