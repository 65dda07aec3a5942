/**
 * Provider-side identifiers (EasyPay outTrace, Ti-Pay uniqueRefundNo, yima sys_seq, …), made
 * from one counter per sandbox so that a run is reproducible: the same requests in the same
 * order get the same ids.
 */
export class IdSource {
  #next = 1;

  /** `prefix` followed by the next counter value, zero-padded to `width` digits. */
  next(prefix: string, width: number): string {
    const n = this.#next++;
    return prefix + String(n).padStart(width, '0');
  }
}
