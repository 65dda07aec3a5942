/**
 * A request as a generated client's `prepare<Op>` leaves it: completed, validated against the
 * contract, signed and encoded, once. `send<Op>` puts exactly these bytes on the wire; nothing is
 * validated, signed or encoded again on the way (issue #15, "one path per request").
 *
 * Building it does no I/O, so a caller can refuse bad input, record the request (the facade's
 * ledger) and only then send it.
 *
 * @example
 * const prepared = client.prepareRefund(input);   // throws ValidationError: nothing sent
 * await ledger.reserve(...);
 * const result = await client.sendRefund(prepared);
 */
export interface PreparedRequest<Message, Body extends string | Uint8Array | undefined = string | Uint8Array | undefined> {
  /** The contract message the request carries, e.g. `refund.request`. */
  readonly messageName: string;
  readonly method: 'GET' | 'POST';
  /** The final URL, query included. */
  readonly url: string;
  /** Header names in lower case: content type and, where the scheme signs headers, the signature. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body exactly as it goes on the wire (JSON text, GBK bytes); undefined for a GET. */
  readonly body: Body;
  /** The query string without `?` (GET only; empty otherwise). */
  readonly query: string;
  /** The message as validated and signed: what `body` or `query` encodes. */
  readonly message: Message;
  /** When it was prepared (epoch ms): a caller holding it long may want timestamps afresh. */
  readonly preparedAt: number;
}

/** Per-send options of a generated client's `send<Op>` (and of its one-call methods). */
export interface SendOptions {
  /** Aborts the exchange (a `ConnectionError` that may have reached the provider, once sent). */
  readonly signal?: AbortSignal | undefined;
}

/** Freezes a prepared request, so what was validated and signed is what is sent. */
export function preparedRequest<Message, Body extends string | Uint8Array | undefined>(
  request: Omit<PreparedRequest<Message, Body>, 'preparedAt'>,
): PreparedRequest<Message, Body> {
  return Object.freeze({ ...request, preparedAt: Date.now() });
}

/**
 * Refuses a prepared request of another operation (a `TypeError`: a programming error, never a
 * provider's answer), so `sendRefund` cannot put a query on the refund route.
 */
export function assertPreparedFor(prepared: PreparedRequest<unknown>, messageName: string): void {
  if (prepared?.messageName !== messageName) {
    throw new TypeError(`expected a prepared ${messageName}, got ${prepared?.messageName === undefined ? 'something else' : `a prepared ${prepared.messageName}`}`);
  }
}
