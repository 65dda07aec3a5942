/**
 * Deadlines shared by the requests that start close together. Each request joins the open
 * *slot*; a slot stays open for `slotMs` (or until {@link MAX_SLOT_REQUESTS} requests joined) and
 * owns one `AbortController`, one timer and one "expired" promise, for all of its requests. The
 * timer fires `timeoutMs + slotMs` after the slot opened, so every request gets at least its
 * `timeoutMs`, and at most `slotMs` more; when it fires, the slot's signal aborts the requests
 * still running (undici closes their sockets) and its promise rejects their races.
 *
 * Why: on Node 20 an `AbortController` is costly to make (its signal is made transferable) and
 * undici registers on each signal; one per request cost about 10 % of a refund's client CPU
 * (bench/README.md, finding 7). A slot makes one per `slotMs` under load, and one per request
 * when requests come one at a time (a slot with nothing in flight is closed at once, its timer
 * cleared, so nothing keeps the process alive).
 *
 * A request that must stop alone does so without the shared signal: an answer past its size cap
 * cancels its own body stream, which makes undici close that socket.
 */

/** At most this many requests share one slot (undici lets 1,500 listeners on a signal). */
export const MAX_SLOT_REQUESTS = 500;

/** The slot length for a deadline: 1 % of it, from 1 to 100 ms. */
export function slotLengthFor(timeoutMs: number): number {
  return Math.min(100, Math.max(1, Math.floor(timeoutMs / 100)));
}

/** One slot: what the requests that joined it share. */
export interface DeadlineSlot {
  /** Aborted when the slot's deadline passes (never for any other reason). */
  readonly signal: AbortSignal;
  /** Rejects with the deadline's error when it passes; never settles otherwise. */
  readonly expired: Promise<never>;
}

interface OpenSlot extends DeadlineSlot {
  readonly controller: AbortController;
  readonly closesAt: number;
  timer: NodeJS.Timeout | undefined;
  joined: number;
  inFlight: number;
  reject(error: unknown): void;
}

export interface DeadlineSlots {
  /** Joins the open slot (or opens one); call {@link DeadlineSlots.leave} when the exchange ends. */
  join(): DeadlineSlot;
  leave(slot: DeadlineSlot): void;
}

/**
 * Slots for one deadline length. `onExpiry` makes the error the slot's promise rejects with.
 *
 * @example
 * const slots = deadlineSlots(30_000, () => new TimeoutError(30_000));
 * const slot = slots.join();
 * try { await Promise.race([fetch(url, { signal: slot.signal }), slot.expired]); } finally { slots.leave(slot); }
 */
export function deadlineSlots(timeoutMs: number, onExpiry: () => unknown, now: () => number = Date.now): DeadlineSlots {
  const slotMs = slotLengthFor(timeoutMs);
  let open: OpenSlot | undefined;

  function close(slot: OpenSlot): void {
    clearTimeout(slot.timer);
    slot.timer = undefined;
    if (open === slot) open = undefined;
  }

  function openSlot(): OpenSlot {
    const controller = new AbortController();
    let reject!: (error: unknown) => void;
    const expired = new Promise<never>((_, no) => {
      reject = no;
    });
    expired.catch(() => undefined); // raced by each request; never an unhandled rejection
    const slot: OpenSlot = { controller, signal: controller.signal, expired, closesAt: now() + slotMs, timer: undefined, joined: 0, inFlight: 0, reject };
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      if (open === slot) open = undefined;
      controller.abort();
      slot.reject(onExpiry());
    }, timeoutMs + slotMs);
    return slot;
  }

  return {
    join() {
      if (open === undefined || open.joined >= MAX_SLOT_REQUESTS || now() >= open.closesAt) open = openSlot();
      open.joined++;
      open.inFlight++;
      return open;
    },
    leave(joined) {
      const slot = joined as OpenSlot;
      slot.inFlight--;
      // Nothing left to time out: a closed slot ends here, and an open one too (a request
      // that comes later opens its own), so no timer outlives the requests.
      if (slot.inFlight === 0 && slot.timer !== undefined) close(slot);
    },
  };
}
