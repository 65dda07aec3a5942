/**
 * What a simulated provider is to the server: its routes, and how it reads a request.
 *
 * Reading is split in two so that faults can strike between the steps (see `faults.ts`):
 * 1. `parse` authenticates the request (signature), checks it against the contract (the
 *    generated validators) and the merchant's identity, and finds the refund number it is about.
 *    A request that fails is answered at once, in the provider's own error shape.
 * 2. `run` does the work: records a refund in the ledger (the "commit") or reads one, and builds
 *    the signed answer. A fault decides whether `run` happens before the fault strikes, after, or
 *    not at all.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Clock } from '../clock.js';
import type { EasypayServerKeys, SandboxCredentials } from '../credentials.js';
import type { IdSource } from '../ids.js';
import type { Notifier } from '../notifier.js';
import type { Operation, Provider } from '../provider.js';
import type { Ledger } from '../store.js';

export interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** The operation this route serves; eftpay's single path leaves it to `service`. */
  readonly operation?: Operation;
}

/** An HTTP request, read whole. */
export interface IncomingCall {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** An answer ready to send. */
export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** The same answer with a corrupted signature, for the `bad-signature` fault. */
  readonly withBadSignature?: (() => Reply) | undefined;
}

export interface RunOptions {
  /** The `fail-refund` fault: accept the refund, then let it end failed. */
  readonly failRefund: boolean;
}

export type ParseResult =
  | {
      readonly ok: true;
      readonly operation: Operation;
      /** The refund this request is about (faults match on it; refund requests are counted by it). */
      readonly refundNo: string;
      readonly run: (options: RunOptions) => Reply;
    }
  | {
      readonly ok: false;
      readonly operation: Operation | undefined;
      /** Why, for the request log. */
      readonly reason: string;
      readonly reply: Reply;
    };

export interface ProviderAdapter {
  readonly provider: Provider;
  readonly routes: readonly Route[];
  parse(call: IncomingCall, route: Route): ParseResult;
}

/** What every adapter is built with. */
export interface AdapterContext {
  readonly ledger: Ledger;
  readonly credentials: SandboxCredentials;
  readonly serverKeys: EasypayServerKeys;
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** How long an asynchronous refund stays pending. */
  readonly delayMs: number;
  /** easypay: answer the final state at once (`realtime`, speedRefund) or 9 first (`async`). */
  readonly easypayMode: 'realtime' | 'async';
}

export function jsonReply(value: unknown, extraHeaders: Readonly<Record<string, string>> = {}): Reply {
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', ...extraHeaders },
    body: Buffer.from(JSON.stringify(value), 'utf8'),
  };
}

export function rejected(operation: Operation | undefined, reason: string, reply: Reply): ParseResult {
  return { ok: false, operation, reason, reply };
}

/** Parses JSON text; `undefined` when it is not JSON. */
export function parseJson(body: Buffer): { readonly value: unknown } | undefined {
  try {
    return { value: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The issues of a `ValidationError`, in one line, for an error message. */
export function issueSummary(issues: readonly { readonly path: string; readonly message: string }[], max = 3): string {
  const shown = issues.slice(0, max).map((i) => i.message);
  return shown.join('; ') + (issues.length > max ? `; and ${issues.length - max} more` : '');
}

/** Cuts `text` to at most `max` characters (provider message fields have lengths). */
export function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…';
}
