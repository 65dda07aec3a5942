/**
 * The one HTTP server: every provider under its real paths on one origin, the control endpoint
 * under `/__sandbox/`, and the fault machinery between reading a request and answering it.
 *
 * For each provider request: route by method and path → the provider reads it (`parse`:
 * signature, schema, merchant) → refund requests are counted by refund number → a fault is
 * chosen (header first, then an armed one) → the provider runs it (records or reads the refund)
 * before or instead of the fault, as the fault says → the answer, or the fault, goes out.
 *
 * `close()` answers nothing more: it destroys held and open connections, cancels slow answers,
 * and closes the listener, so a test that closes the sandbox leaves no handle behind.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { FaultError, parseFaultHeader, type FaultBoard, type FaultPlan } from './faults.js';
import { BodyTooLargeError, htmlError, readBody, send, sendJson } from './http.js';
import type { ProviderAdapter, Reply, Route } from './providers/adapter.js';
import type { RequestLog } from './request-log.js';
import { SelfCheckError } from './self-check.js';
import type { Ledger } from './store.js';
import type { Provider } from './provider.js';

export const FAULT_HEADER = 'x-sandbox-fault';
export const CONTROL_PREFIX = '/__sandbox/';

export interface ServerParts {
  readonly adapters: readonly ProviderAdapter[];
  readonly faults: FaultBoard;
  readonly ledger: Ledger;
  readonly log: RequestLog;
  /** Serves `/__sandbox/…`. */
  readonly control: (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) => void;
  /** A self-check failure or an unexpected error while serving: recorded by the sandbox. */
  readonly onError: (error: unknown) => void;
  /** Other handlers on the sandbox's port, by path prefix (`/console`): they read their own bodies. */
  readonly mounts?: Readonly<Record<string, (req: IncomingMessage, res: ServerResponse) => void>> | undefined;
}

export interface SandboxServer {
  readonly server: Server;
  listen(port: number, host: string): Promise<number>;
  /**
   * Ends the wait of `slow-commit` requests now (those of one provider, of one refund number):
   * each commits and is answered. Returns how many were released.
   */
  releaseCommits(filter?: { readonly provider?: Provider | undefined; readonly refundNo?: string | undefined }): number;
  close(): Promise<void>;
}

/** A `slow-commit` request waiting for its commit. */
interface PendingCommit {
  readonly provider: Provider;
  readonly refundNo: string;
  readonly release: () => void;
}

export function createSandboxServer(parts: ServerParts): SandboxServer {
  const routes = new Map<string, { adapter: ProviderAdapter; route: Route }[]>();
  for (const adapter of parts.adapters) {
    for (const route of adapter.routes) {
      const list = routes.get(route.path) ?? [];
      list.push({ adapter, route });
      routes.set(route.path, list);
    }
  }
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const pendingCommits = new Set<PendingCommit>();
  let closing = false;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      parts.onError(error);
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, { sandboxError: String(error) });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The path and query only: a Host header (absent, empty or hostile) must not break parsing.
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      sendJson(res, 400, { sandboxError: 'cannot read the request target' });
      return;
    }
    for (const [prefix, mounted] of Object.entries(parts.mounts ?? {})) {
      if (url.pathname === prefix || url.pathname.startsWith(`${prefix}/`)) return mounted(req, res);
    }
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        sendJson(res, 413, { sandboxError: error.message });
        return;
      }
      throw error;
    }
    if (url.pathname.startsWith(CONTROL_PREFIX) || url.pathname === CONTROL_PREFIX.slice(0, -1)) {
      parts.control(req, res, url, body);
      return;
    }
    const candidates = routes.get(url.pathname);
    if (candidates === undefined) {
      sendJson(res, 404, { sandboxError: `no provider endpoint at ${url.pathname}`, endpoints: [...routes.keys()] });
      return;
    }
    const match = candidates.find((c) => c.route.method === req.method);
    if (match === undefined) {
      res.setHeader('allow', candidates.map((c) => c.route.method).join(', '));
      sendJson(res, 405, { sandboxError: `${url.pathname} takes ${candidates.map((c) => c.route.method).join(' or ')}` });
      return;
    }
    await serveProvider(match.adapter, match.route, req, res, url, body);
  }

  async function serveProvider(
    adapter: ProviderAdapter,
    route: Route,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body: Buffer,
  ): Promise<void> {
    const provider: Provider = adapter.provider;
    const at = Date.now();
    let parsed: ReturnType<ProviderAdapter['parse']>;
    try {
      parsed = adapter.parse({ method: req.method ?? 'GET', url, headers: req.headers, body }, route);
    } catch (error) {
      return failed(error, { at, provider, operation: route.operation, refundNo: undefined, committed: false });
    }
    if (!parsed.ok) {
      parts.log.add({ at, provider, operation: parsed.operation, refundNo: undefined, outcome: 'rejected', committed: false, reason: parsed.reason });
      send(res, parsed.reply);
      return;
    }
    const { operation, refundNo } = parsed;
    if (operation === 'refund') parts.ledger.countRequest(provider, refundNo);

    let plan: FaultPlan | undefined;
    const header = req.headers[FAULT_HEADER];
    if (typeof header === 'string' && header.trim() !== '') {
      try {
        plan = parseFaultHeader(provider, operation, header);
      } catch (error) {
        if (!(error instanceof FaultError)) throw error;
        parts.log.add({ at, provider, operation, refundNo, outcome: 'rejected', committed: false, reason: error.message });
        sendJson(res, 400, { sandboxError: error.message });
        return;
      }
    }
    plan ??= parts.faults.take(provider, operation, refundNo);

    let reply: Reply | undefined;
    const run = (failRefund: boolean): Reply => (reply ??= parsed.run({ failRefund }));
    const entry = { at, provider, operation, refundNo };
    if (plan?.action === 'slow-commit') {
      if (operation === 'refund' && parts.ledger.beginCommit(provider, refundNo)) {
        // Nothing is recorded while the commit is pending: a query does not find the refund, and
        // another request with the number is refused as a duplicate (Ledger.applyRefund).
        const seq = parts.log.add({ ...entry, outcome: 'faulted', fault: plan.name, committed: false });
        let commitError: { readonly error: unknown } | undefined;
        await holdCommit(provider, refundNo, plan.ms, () => {
          parts.ledger.endCommit(provider, refundNo);
          try {
            run(false);
            parts.log.markCommitted(seq);
          } catch (error) {
            commitError = { error };
          }
        });
        if (commitError !== undefined) return failed(commitError.error, { ...entry, committed: true });
        // The client may have given up meanwhile; the refund is committed all the same.
        send(res, reply!);
        return;
      }
      // A request with this number is being committed already: this one is served as it comes
      // (refused as a duplicate), and the fault strikes no second time.
      plan = undefined;
    }
    try {
      if (plan === undefined) {
        run(false);
        parts.log.add({ ...entry, outcome: 'answered', committed: operation === 'refund' });
        send(res, reply!);
        return;
      }
      if (plan.commit) run(plan.failRefund);
    } catch (error) {
      return failed(error, { ...entry, committed: operation === 'refund' });
    }
    const committed = plan.commit && operation === 'refund';
    parts.log.add({ ...entry, outcome: plan.action === 'none' ? 'answered' : 'faulted', fault: plan.name, committed });
    switch (plan.action) {
      case 'hold':
        // Never answer; the client times out. The socket is destroyed on close().
        return;
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case 'http-500':
      case 'http-502':
        send(res, htmlError(plan.action === 'http-500' ? 500 : 502));
        return;
      case 'malformed-body': {
        const whole = reply ?? placeholder(provider);
        send(res, { ...whole, status: 200, body: whole.body.subarray(0, Math.max(1, Math.floor(whole.body.length / 2))) });
        return;
      }
      case 'bad-signature':
        send(res, reply!.withBadSignature?.() ?? reply!);
        return;
      case 'slow':
        await sleep(plan.ms);
        send(res, reply!);
        return;
      case 'slow-commit': // served above; a duplicate's plan is dropped there
      case 'none':
        send(res, reply!);
        return;
    }

    function failed(error: unknown, record: Omit<Parameters<RequestLog['add']>[0], 'outcome'>): void {
      parts.onError(error);
      parts.log.add({ ...record, outcome: 'error', reason: String(error) });
      const detail = error instanceof SelfCheckError ? { messageName: error.messageName, issues: error.issues } : {};
      sendJson(res, 500, { sandboxError: String(error), ...detail });
    }
  }

  /**
   * Runs `commit` after `ms`, or at once when released (releaseCommits: the refund is committed
   * when that call returns), then resolves; does neither once the sandbox closes.
   */
  function holdCommit(provider: Provider, refundNo: string, ms: number, commit: () => void): Promise<void> {
    return new Promise((resolve) => {
      if (closing) return;
      const pending: PendingCommit = {
        provider,
        refundNo,
        release: () => {
          clearTimeout(timer);
          timers.delete(timer);
          pendingCommits.delete(pending);
          commit();
          resolve();
        },
      };
      const timer = setTimeout(pending.release, ms);
      timers.add(timer);
      pendingCommits.add(pending);
    });
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (closing) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  }

  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        const onError = (error: Error): void => reject(error);
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          const address = server.address();
          resolve(typeof address === 'object' && address !== null ? address.port : port);
        });
      });
    },
    releaseCommits(filter = {}) {
      const matching = [...pendingCommits].filter(
        (p) => (filter.provider === undefined || p.provider === filter.provider) && (filter.refundNo === undefined || p.refundNo === filter.refundNo),
      );
      for (const pending of matching) pending.release();
      return matching.length;
    },
    close() {
      closing = true;
      pendingCommits.clear();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return new Promise((resolve) => {
        if (!server.listening) {
          for (const socket of sockets) socket.destroy();
          resolve();
          return;
        }
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}

/** The body a `malformed-body` fault cuts when the refund was not run (commit=no). */
function placeholder(provider: Provider): Reply {
  if (provider === 'yima') {
    return {
      status: 200,
      headers: { 'content-type': 'text/xml; charset=GBK' },
      body: Buffer.from('<?xml version="1.0" encoding="GBK"?>\n<business_trans>\n<response_type>barcode_refundbycashfee_response</response_type>\n', 'latin1'),
    };
  }
  return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: Buffer.from('{"code":"', 'utf8') };
}
