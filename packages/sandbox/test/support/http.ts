/**
 * The tests' HTTP client: one exchange over real HTTP with a deadline, the whole answer read.
 */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
  readonly text: string;
}

export interface ExchangeOptions {
  readonly method?: 'GET' | 'POST';
  readonly body?: string | Uint8Array | undefined;
  /** Header names to values (any object of strings, e.g. a signer's TipayHeaders). */
  readonly headers?: object | undefined;
  /** The client gives up after this long (AbortSignal.timeout); default 15 000 ms (generous: CI machines are shared). */
  readonly timeoutMs?: number | undefined;
}

export async function exchange(url: string, options: ExchangeOptions = {}): Promise<Answer> {
  const res = await fetch(url, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers: options.headers as Record<string, string> | undefined,
    body: options.body,
    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
  });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body, text: body.toString('utf8') };
}

/** POSTs JSON to the sandbox's control endpoint and returns the status and parsed answer. */
export async function control(url: string, method: 'GET' | 'POST' | 'DELETE', value?: unknown): Promise<{ status: number; value: any }> {
  const res = await fetch(url, {
    method,
    headers: value === undefined ? undefined : { 'content-type': 'application/json' },
    body: value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value),
  });
  return { status: res.status, value: await res.json() };
}
