/**
 * `refundkit serve`: the process a merchant deploys beside their app. One HTTP server with the
 * notification routes (`POST /notify/<provider>[/<account>]`), `GET /healthz` and `GET /metrics`;
 * structured JSON logs on stdout; a clean stop on SIGINT/SIGTERM (stop accepting, finish what is
 * in flight, exit 0). @refundkit/server (pino, prom-client) is loaded only by this command.
 */
import type { Io } from '../main.js';
import { parseDuration } from '../amounts.js';
import { loadConfig } from '../config.js';
import { ledgerLocation, openLedger } from '../ledger.js';
import { EXIT, UsageError } from '../io.js';
import { isLoopbackHost } from '@refundkit/runtime';

export const SERVE_HELP = `Usage: refundkit serve [options]

Runs refundkit as a long-running process: receives the providers' notifications, answers health
checks and Prometheus scrapes, logs JSON lines to stdout, and runs the reconciler in the
background (every --reconcile-every, it queries the providers about refunds left pending or
unknown; claims in the ledger keep several serve processes from querying one refund twice).
SIGINT or SIGTERM stops it cleanly (no new requests and no new reconciler claims; requests and
queries in flight finish within the grace period; exit 0).

Routes:
  POST /notify/<provider>            a provider's notification (easypay, tipay)
  POST /notify/<provider>/<account>  the same, for one merchant account
  GET  /healthz                      200 when the ledger answers and its schema is current, else 503
  GET  /metrics                      Prometheus text: refunds by provider, account and status;
                                     provider exchange latency; notifications by outcome; backlog
  GET  /console/                     the console: refunds, their timelines, unmatched notifications,
                                     totals, live; with --sandbox-url, the sandbox's views and switches

Options:
  --config <file>        provider configuration (default refundkit.config.json or REFUNDKIT_CONFIG)
  --ledger <path|url>    SQLite file or postgres:// URL (default as for refund)
  --port <n>             port (default 8080; 0 picks a free one)
  --host <address>       address to bind (default 127.0.0.1)
  --timeout <duration>   each provider exchange's deadline (default 30s)
  --reconcile-every <duration|off>
                         the pause between two reconciler runs (default 60s; off: no reconciler
                         here, e.g. when \`refundkit reconcile\` runs from cron)
  --reconcile-older-than <duration>
                         only refunds created at least this long ago (default 5m)
  --shutdown-grace <duration>
                         how long a stop waits for requests and queries in flight (default 10s)
  --log-level <level>    trace, debug, info (default), warn, error, silent
  --console-token <t>    the console's token (or REFUNDKIT_CONSOLE_TOKEN): required when --host is
                         not loopback (without one the console refuses every request); open
                         /console/?token=<t> once, the browser keeps it in a cookie
  --console-host <name>  a host name the console may be addressed by besides loopback names and
                         IP addresses (repeatable; a DNS name not listed is refused)
  --sandbox-url <url>    a running sandbox (refundkit sandbox) whose views the console shows
  -h, --help             this text
`;

export interface ServeArgs {
  readonly config?: string | undefined;
  readonly ledger?: string | undefined;
  readonly port?: string | undefined;
  readonly host?: string | undefined;
  readonly timeout?: string | undefined;
  readonly logLevel?: string | undefined;
  readonly reconcileEvery?: string | undefined;
  readonly reconcileOlderThan?: string | undefined;
  readonly shutdownGrace?: string | undefined;
  readonly consoleToken?: string | undefined;
  readonly consoleHosts?: readonly string[] | undefined;
  readonly sandboxUrl?: string | undefined;
}

export interface ServeControl {
  /** Resolves when the server should stop; default: the first SIGINT or SIGTERM. */
  readonly stop?: Promise<unknown> | undefined;
  /** Called once the server listens (tests read its URL from it). */
  readonly onReady?: ((url: string) => void) | undefined;
  /** Where log lines go; default stdout. */
  readonly logDestination?: { write(line: string): unknown } | undefined;
}

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

export async function serveCommand(args: ServeArgs, io: Io, control: ServeControl = {}): Promise<number> {
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  const port = args.port === undefined ? 8080 : Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError('--port must be an integer from 0 to 65535');
  const level = args.logLevel ?? 'info';
  if (!LEVELS.has(level)) throw new UsageError(`--log-level must be one of ${[...LEVELS].join(', ')}`);
  const timeoutMs = args.timeout === undefined ? undefined : parseDuration('--timeout', args.timeout);
  const reconcileEveryMs = args.reconcileEvery === 'off' ? undefined : parseDuration('--reconcile-every', args.reconcileEvery ?? '60s');
  const olderThanMs = args.reconcileOlderThan === undefined ? undefined : parseDuration('--reconcile-older-than', args.reconcileOlderThan);
  const shutdownGraceMs = args.shutdownGrace === undefined ? 10_000 : parseDuration('--shutdown-grace', args.shutdownGrace);
  const configFile = args.config ?? env['REFUNDKIT_CONFIG'] ?? 'refundkit.config.json';
  const config = loadConfig(configFile, env, cwd);
  if (Object.keys(config.providers).length === 0) throw new UsageError(`${configFile} configures no provider`);

  const { createRefunds, createNotificationHandler, startReconciler, toNodeHandler } = await import('@refundkit/refunds');
  const { createLogger, createMetrics, refundsLogger, startServer } = await import('@refundkit/server');
  const logger = createLogger({ level: level as 'info', ...(control.logDestination ? { destination: control.logDestination as never } : {}) });
  const ledger = await openLedger(ledgerLocation(args.ledger ?? env['REFUNDKIT_LEDGER'] ?? config.ledger, cwd), io);
  let metrics: ReturnType<typeof createMetrics> | undefined;
  const refunds = createRefunds({
    providers: config.providers as never,
    ledger,
    logger: refundsLogger(logger),
    onResponse: (event) => metrics?.observeExchange(event),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  metrics = createMetrics(refunds);
  const counted = metrics;
  // Counts each notification's outcome on its way through (the handler reads only handleNotification).
  const receiver = {
    async handleNotification(...call: Parameters<typeof refunds.handleNotification>) {
      try {
        const handled = await refunds.handleNotification(...call);
        counted.countNotification(call[0], handled.outcome);
        return handled;
      } catch (error) {
        counted.countNotification(call[0], 'error');
        throw error;
      }
    },
  };
  const notifications = toNodeHandler(createNotificationHandler(receiver, { logger: refundsLogger(logger) }));
  const host = args.host ?? '127.0.0.1';
  const consoleToken = args.consoleToken ?? env['REFUNDKIT_CONSOLE_TOKEN'];
  const sandboxUrl = args.sandboxUrl;
  if (sandboxUrl !== undefined && !/^http:\/\/[^/]+\/?$/.test(sandboxUrl)) throw new UsageError('--sandbox-url must be the sandbox\'s base URL, http://<host>:<port>');
  // Loaded at the console's first request: a server whose console nobody opens never loads it.
  const loadConsole = async () => {
    const { createConsoleHandler } = await import('@refundkit/console');
    return createConsoleHandler({ refunds, bindHost: host, token: consoleToken, allowedHostNames: args.consoleHosts, sandboxUrl });
  };
  const server = await startServer({ host, port, notifications, health: () => refunds.health(), metrics, logger, console: loadConsole, shutdownGraceMs });
  const reconciler =
    reconcileEveryMs === undefined
      ? undefined
      : startReconciler(refunds, {
          intervalMs: reconcileEveryMs,
          ...(olderThanMs === undefined ? {} : { olderThanMs }),
          onRun: (summary) => {
            counted.countReconcileRun(summary);
            logger[summary.checked > 0 ? 'info' : 'debug'](summary, 'reconciler run');
          },
          onError: (error) => logger.error({ error: error instanceof Error ? { name: error.name, code: (error as { code?: unknown }).code, message: error.message } : 'unknown' }, 'reconciler run failed'),
        });
  io.stderr.write(`refundkit serve: listening on ${server.url} (POST /notify/<provider>, GET /healthz, GET /metrics, /console/)${reconciler ? `; reconciling every ${args.reconcileEvery ?? '60s'}` : ''}\n`);
  if (!isLoopbackHost(host) && (consoleToken === undefined || consoleToken === '')) {
    io.stderr.write('refundkit serve: the console refuses every request: it listens beyond loopback without a token (--console-token or REFUNDKIT_CONSOLE_TOKEN)\n');
  }
  control.onReady?.(server.url);

  await (control.stop ?? signalled());
  // Both drain at once: no new requests or claims; what is in flight finishes within the grace.
  await Promise.all([server.close(), reconciler?.drain({ graceMs: shutdownGraceMs })]);
  await refunds.close();
  logger.flush?.();
  return EXIT.ok;
}


/** The first SIGINT or SIGTERM. */
function signalled(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
