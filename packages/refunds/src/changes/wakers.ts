// Followers waiting for the next change: a ledger wakes them when it appends one. Woken in a
// microtask after the write returns, so a listener never runs inside a store's transaction.

/** The listeners of one ledger instance. */
export class ChangeWakers {
  readonly #listeners = new Set<() => void>();
  #scheduled = false;

  /** Adds `listener`; returns the way to remove it. */
  add(listener: () => void): () => void {
    // Wrapped, so one function added twice is two listeners, each removed once.
    const entry = (): void => listener();
    this.#listeners.add(entry);
    return () => void this.#listeners.delete(entry);
  }

  get size(): number {
    return this.#listeners.size;
  }

  /** Wakes every listener once, soon (several changes in one tick wake them once). */
  wake(): void {
    if (this.#scheduled || this.#listeners.size === 0) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      for (const listener of [...this.#listeners]) {
        try {
          listener();
        } catch {
          // A follower's listener only schedules a read; nothing it throws concerns the ledger.
        }
      }
    });
  }
}
