// How fast a mass refund drives one provider account (a lane): at most `concurrency` requests in
// flight, starts spaced to `perSecond`, and (with `onePerOrder`) never two refunds of one order
// in flight at once; plus the run's own cap across every lane.

/** A counting semaphore: `acquire` resolves when one of `size` slots is free. */
export class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

/**
 * Starts spaced evenly, `perSecond` a second: each start takes the next free instant
 * (`1000 / perSecond` ms after the one before), so no second ever holds more than `perSecond`
 * starts, however the callers race. Times from `now` (performance.now by default).
 */
export class Spacing {
  readonly #intervalMs: number;
  readonly #now: () => number;
  #next = -Infinity;

  constructor(perSecond: number, now: () => number = () => performance.now()) {
    this.#intervalMs = 1000 / perSecond;
    this.#now = now;
  }

  /** Waits for this caller's start instant, or until `stopped` settles (the run stops). */
  async take(stopped?: Promise<void>): Promise<void> {
    const now = this.#now();
    const at = Math.max(now, this.#next);
    this.#next = at + this.#intervalMs;
    const wait = at - now;
    if (wait > 0.5) await delay(wait, stopped);
  }
}

/** `ms`, or less when `stopped` settles first. One promise for the run, so no listener per wait. */
function delay(ms: number, stopped: Promise<void> | undefined): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const elapsed = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return (stopped ? Promise.race([elapsed, stopped]) : elapsed).finally(() => clearTimeout(timer));
}

/** One lane's queue: rows handed out in order, skipping (and keeping for later) rows whose order is busy. */
export class LaneQueue<Row extends { readonly orderId: string }> {
  readonly #rows: Row[];
  readonly #busyOrders = new Set<string>();
  readonly #onePerOrder: boolean;
  readonly #wakers: (() => void)[] = [];

  constructor(rows: readonly Row[], onePerOrder: boolean) {
    this.#rows = [...rows];
    this.#onePerOrder = onePerOrder;
  }

  get left(): number {
    return this.#rows.length;
  }

  /**
   * The next row whose order has nothing in flight (it is then busy until `done`), or undefined
   * when the queue is empty. Waits while every row left is on a busy order.
   */
  async next(): Promise<Row | undefined> {
    for (;;) {
      if (this.#rows.length === 0) return undefined;
      const at = this.#onePerOrder ? this.#rows.findIndex((r) => !this.#busyOrders.has(r.orderId)) : 0;
      if (at >= 0) {
        const [row] = this.#rows.splice(at, 1);
        if (this.#onePerOrder) this.#busyOrders.add(row!.orderId);
        return row;
      }
      await new Promise<void>((resolve) => this.#wakers.push(resolve));
    }
  }

  /** The row ended: its order is free again. */
  done(row: Row): void {
    this.#busyOrders.delete(row.orderId);
    for (const wake of this.#wakers.splice(0)) wake();
  }

  /** Empties the queue (the run stops), returning the rows never handed out. */
  drain(): Row[] {
    const left = this.#rows.splice(0);
    for (const wake of this.#wakers.splice(0)) wake();
    return left;
  }
}
