/**
 * The console's way to a sandbox: its control endpoint (`/__sandbox/…`, see
 * packages/sandbox/src/control.ts) over HTTP, whether the sandbox runs in this process
 * (`refundkit sandbox`) or another (`refundkit serve --sandbox-url`). Only the calls the console's
 * views and switches need pass, each by name; what comes back is cut down to what a page may show
 * (no notification bodies, no credentials: the control endpoint serves none).
 */

/** One call the console forwards: the console's path under `api/sandbox/`, the sandbox's, and the methods. */
const CALLS: Readonly<Record<string, { readonly path: string; readonly methods: readonly string[] }>> = {
  orders: { path: 'orders', methods: ['GET', 'POST'] },
  refunds: { path: 'refunds', methods: ['GET'] },
  requests: { path: 'requests', methods: ['GET'] },
  notifications: { path: 'notifications', methods: ['GET'] },
  faults: { path: 'faults', methods: ['GET', 'POST', 'DELETE'] },
  'notification-faults': { path: 'notification-faults', methods: ['GET', 'POST', 'DELETE'] },
  settle: { path: 'refunds/settle', methods: ['POST'] },
  redeliver: { path: 'notifications/redeliver', methods: ['POST'] },
};

export interface SandboxAnswer {
  readonly status: number;
  readonly body: unknown;
}

export class SandboxLink {
  readonly #control: string;

  /** `baseUrl`: the sandbox's `http://127.0.0.1:<port>` (its control endpoint answers loopback names only). */
  constructor(baseUrl: string) {
    const url = new URL(baseUrl);
    if (url.protocol !== 'http:') throw new TypeError(`the sandbox URL must be http://…, not ${url.protocol}`);
    this.#control = `${url.origin}/__sandbox/`;
  }

  /** Whether the console forwards `method` to `call`. */
  static serves(call: string, method: string): boolean {
    return CALLS[call]?.methods.includes(method) ?? false;
  }

  /** Forwards one call; the sandbox's own refusals (400 with `sandboxError`) come back as they are. */
  async call(call: string, method: string, search: string, body: string | undefined): Promise<SandboxAnswer> {
    const target = CALLS[call];
    if (target === undefined || !target.methods.includes(method)) return { status: 404, body: { error: { code: 'not_found', message: `no sandbox call ${call}` } } };
    let response: Response;
    try {
      response = await fetch(`${this.#control}${target.path}${search}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      return { status: 502, body: { error: { code: 'sandbox_unreachable', message: `the sandbox at ${this.#control} did not answer: ${error instanceof Error ? error.message : String(error)}` } } };
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { error: { code: 'sandbox_answer', message: 'the sandbox answered something that is not JSON' } };
    }
    return { status: response.status, body: call === 'notifications' ? withoutBodies(parsed) : parsed };
  }
}

/** Delivery records without the bodies sent: a page shows what happened, not the signed message. */
function withoutBodies(answer: unknown): unknown {
  const list = (answer as { notifications?: unknown } | null)?.notifications;
  if (!Array.isArray(list)) return answer;
  return { notifications: list.map((record: Record<string, unknown>) => Object.fromEntries(Object.entries(record).filter(([key]) => key !== 'body'))) };
}
