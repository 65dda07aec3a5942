// Counting a run's rows as they end, per lane (provider account) and in all, with each lane's
// recent rate and the time left at that rate.
import type { ProviderKey } from '../model.js';
import type { BatchCounts, BatchRowResult, LaneProgress } from './batch-types.js';

/** The window the rate is measured over: long enough to be steady, short enough to follow a change. */
const RATE_WINDOW_MS = 5_000;

export const emptyCounts = (total = 0): BatchCounts => ({ total, done: 0, succeeded: 0, pending: 0, failed: 0, unknown: 0, notStarted: 0 });

/** Adds one ended row to `counts`. */
export function count(counts: BatchCounts, row: Pick<BatchRowResult, 'status'>): void {
  if (row.status === 'not_started') {
    counts.notStarted++;
    return;
  }
  counts.done++;
  counts[row.status]++;
}

class Lane {
  readonly counts: BatchCounts;
  readonly #ended: number[] = [];
  readonly #started: number;

  constructor(
    readonly provider: ProviderKey,
    readonly account: string,
    total: number,
    now: number,
  ) {
    this.counts = emptyCounts(total);
    this.#started = now;
  }

  add(row: BatchRowResult, now: number): void {
    count(this.counts, row);
    if (row.status !== 'not_started') this.#ended.push(now);
    while (this.#ended.length > 0 && this.#ended[0]! < now - RATE_WINDOW_MS) this.#ended.shift();
  }

  snapshot(now: number): LaneProgress {
    const span = Math.min(RATE_WINDOW_MS, Math.max(now - this.#started, 1));
    const recent = this.#ended.filter((t) => t >= now - RATE_WINDOW_MS).length;
    const ratePerSecond = (recent * 1000) / span;
    const left = this.counts.total - this.counts.done - this.counts.notStarted;
    const etaSeconds = left === 0 ? 0 : ratePerSecond > 0 ? left / ratePerSecond : undefined;
    return { provider: this.provider, account: this.account, ...this.counts, ratePerSecond, etaSeconds };
  }
}

/** The run's counts, kept as rows end. */
export class BatchTally {
  readonly counts: BatchCounts;
  readonly #lanes = new Map<string, Lane>();
  readonly #now: () => number;

  constructor(lanes: readonly { provider: ProviderKey; account: string; total: number }[], now: () => number = () => performance.now()) {
    this.#now = now;
    this.counts = emptyCounts(lanes.reduce((sum, lane) => sum + lane.total, 0));
    for (const lane of lanes) this.#lanes.set(`${lane.provider}\u0000${lane.account}`, new Lane(lane.provider, lane.account, lane.total, now()));
  }

  add(row: BatchRowResult): void {
    count(this.counts, row);
    this.#lanes.get(`${row.provider}\u0000${row.account}`)?.add(row, this.#now());
  }

  lanes(): LaneProgress[] {
    const now = this.#now();
    return [...this.#lanes.values()].map((lane) => lane.snapshot(now));
  }
}
