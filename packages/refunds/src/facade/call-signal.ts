// A call's deadline and abort signal, and waits that wake early when it fires.
import { AbortedError } from '../call-context.js';
import type { CallOptions } from './options.js';
import { checkMs } from './input-checks.js';

/** The call's signal: the caller's, its `timeoutMs`, both, or none. */
export function callSignal(options: CallOptions | undefined): AbortSignal | undefined {
  checkMs('timeoutMs', options?.timeoutMs);
  const signals = [options?.signal, options?.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs)].filter((s): s is AbortSignal => s !== undefined);
  return signals.length > 1 ? AbortSignal.any(signals) : signals[0];
}

/** Why the call's signal fired, as a failure: its own deadline (`timeout`) or the caller's abort (`aborted`). */
export function abortFailure(signal: AbortSignal): { code: 'timeout' | 'aborted'; message: string } {
  const reason = signal.reason as { name?: unknown } | undefined;
  return reason?.name === 'TimeoutError'
    ? { code: 'timeout', message: 'the call’s timeoutMs ran out after the request was sent: the provider may have acted on it; the outcome is unknown' }
    : { code: 'aborted', message: 'the call was aborted after the request was sent: the provider may have acted on it; the outcome is unknown' };
}

export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new AbortedError(`${what} was ${abortFailure(signal).code === 'timeout' ? 'out of time (timeoutMs)' : 'aborted'} before it started`, { cause: signal.reason });
}

/** Sleeps, waking early (and rejecting) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError('the wait was aborted', { cause: signal.reason }));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError('the wait was aborted', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

