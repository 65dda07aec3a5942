/**
 * A wrapper that keeps key material out of logs.
 *
 * The value lives in a private class field, so it is invisible to `Object.keys`, `JSON.stringify`,
 * `structuredClone`, and `util.inspect` (even with `showHidden`); every way of printing the
 * wrapper yields `[redacted]`. Only {@link Secret.reveal} returns the value, and this package
 * calls it only at the moment a key is parsed or a digest is computed.
 *
 * ```ts
 * const appKey = new Secret(process.env.TIPAY_APP_KEY!);
 * console.log({ appKey });      // { appKey: [redacted] }
 * `${appKey}`;                  // '[redacted]'
 * JSON.stringify({ appKey });   // '{"appKey":"[redacted]"}'
 * appKey.reveal();              // the real value
 * ```
 */
import { inspect } from 'node:util';

export class Secret<T = string> {
  static readonly REDACTED = '[redacted]';

  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  /** The wrapped value. Call it only where the value is used, never to log it. */
  reveal(): T {
    return this.#value;
  }

  toString(): string {
    return Secret.REDACTED;
  }

  toJSON(): string {
    return Secret.REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return Secret.REDACTED;
  }

  /** `util.inspect` / `console.log` hook. */
  [inspect.custom](): string {
    return Secret.REDACTED;
  }
}

/** A value that may or may not be wrapped. */
export type MaybeSecret<T> = T | Secret<T>;

/** Unwraps a {@link MaybeSecret}; plain values pass through. */
export function revealSecret<T>(value: MaybeSecret<T>): T {
  return value instanceof Secret ? value.reveal() : value;
}
