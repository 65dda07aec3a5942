import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT, UsageError, type Io } from './io.js';
import { printable } from './terminal-text.js';

export type { Io } from './io.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export const HELP = `refundkit ${VERSION}: refunds across EasyPay, eftPay, Lianke, Ti-Pay and ImageCo ipos

Usage:
  refundkit refund --provider P --order ID --refund-id RID --amount 12.34 [...]   refund through a provider
  refundkit status --provider P --order ID --refund-id RID [...]                  a refund's status
  refundkit status --unmatched [--provider P] [--json]                            notifications naming refunds the ledger never saw
  refundkit reconcile [--older-than 5m] [--limit N] [--provider P] [--json]      query pending and unknown refunds (for cron)
  refundkit batch FILE [--dry-run] [--report OUT] [--concurrency N] [--json]       refund every row of a CSV or JSON Lines file
  refundkit batch FILE --queue --ledger postgres://…                              enqueue the rows for refundkit worker processes
  refundkit worker --ledger postgres://… [--concurrency N]                        send queued batch rows until SIGINT/SIGTERM
  refundkit validate --provider P --message NAME FILE                             check a message against the contract
  refundkit demo                                                                  the main job on the embedded sandbox
  refundkit sandbox [--port 4010]                                                 run the local simulators (console at /console/)
  refundkit serve [--port 8080] --config C [--ledger L]                           receive notifications; health, metrics, logs, console
  refundkit ledger migrate --ledger postgres://user@host/db                       create or upgrade the ledger's tables
  refundkit <command> --help                                                      a command's options
  refundkit --version                                                             the version

Exit codes: 0 succeeded, 4 pending, 2 failed, 3 unknown (also: sent, but the answer not recorded),
1 bad input or a local refusal (nothing sent). Every error says whether anything was sent.
Secrets (keys, app keys, secret codes) are never printed; config values may be {"env": "VAR"}.
`;

/** Flags shared by refund and status. */
const FACADE_FLAGS = {
  provider: { type: 'string' },
  account: { type: 'string' },
  order: { type: 'string' },
  'refund-id': { type: 'string' },
  config: { type: 'string' },
  'base-url': { type: 'string' },
  ledger: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `parseArgs`, its complaints (unknown flag, missing value) as usage errors. */
function parse<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * Runs one command. Each command's module is imported only when it runs, so `--version` loads
 * nothing but this file and `validate --provider tipay` loads tipay's contract alone, never the
 * sandbox or the other providers (CLI start, issue #15; `bench/cli-start.bench.mjs`).
 */
async function dispatch(command: string, args: readonly string[], io: Io): Promise<number> {
  switch (command) {
    case 'refund': {
      const { refundCommand, REFUND_HELP } = await import('./commands/refund.js');
      const { values: v } = parse({
        args: [...args],
        strict: true,
        options: {
        ...FACADE_FLAGS,
        amount: { type: 'string' },
        currency: { type: 'string' },
        'order-amount': { type: 'string' },
        reason: { type: 'string' },
        'notify-url': { type: 'string' },
        option: { type: 'string', multiple: true },
        wait: { type: 'boolean' },
        'wait-timeout': { type: 'string' },
        },
      });
      if (v.help) return io.stdout.write(REFUND_HELP), EXIT.ok;
      return refundCommand(
        {
          provider: v.provider,
          account: v.account,
          order: v.order,
          refundId: v['refund-id'],
          amount: v.amount,
          currency: v.currency,
          orderAmount: v['order-amount'],
          reason: v.reason,
          notifyUrl: v['notify-url'],
          option: v.option,
          config: v.config,
          baseUrl: v['base-url'],
          ledger: v.ledger,
          timeout: v.timeout,
          wait: v.wait,
          waitTimeout: v['wait-timeout'],
          json: v.json,
        },
        io,
      );
    }
    case 'status': {
      const { statusCommand, STATUS_HELP } = await import('./commands/status.js');
      const { values: v } = parse({ args: [...args], strict: true, options: { ...FACADE_FLAGS, unmatched: { type: 'boolean' }, limit: { type: 'string' } } });
      if (v.help) return io.stdout.write(STATUS_HELP), EXIT.ok;
      return statusCommand({ provider: v.provider, account: v.account, order: v.order, refundId: v['refund-id'], config: v.config, baseUrl: v['base-url'], ledger: v.ledger, timeout: v.timeout, json: v.json, unmatched: v.unmatched, limit: v.limit }, io);
    }
    case 'reconcile': {
      const { reconcileCommand, RECONCILE_HELP } = await import('./commands/reconcile.js');
      const { values: v } = parse({
        args: [...args],
        strict: true,
        options: { provider: { type: 'string' }, 'older-than': { type: 'string' }, limit: { type: 'string' }, config: { type: 'string' }, ledger: { type: 'string' }, timeout: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      });
      if (v.help) return io.stdout.write(RECONCILE_HELP), EXIT.ok;
      return reconcileCommand({ provider: v.provider, olderThan: v['older-than'], limit: v.limit, config: v.config, ledger: v.ledger, timeout: v.timeout, json: v.json }, io);
    }
    case 'batch': {
      const { batchCommand, BATCH_HELP } = await import('./commands/batch.js');
      const { values: v, positionals } = parse({
        args: [...args],
        strict: true,
        allowPositionals: true,
        options: {
          'dry-run': { type: 'boolean' },
          report: { type: 'string' },
          concurrency: { type: 'string' },
          config: { type: 'string' },
          ledger: { type: 'string' },
          account: { type: 'string' },
          batch: { type: 'string' },
          timeout: { type: 'string' },
          queue: { type: 'boolean' },
          json: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      });
      if (v.help) return io.stdout.write(BATCH_HELP), EXIT.ok;
      if (positionals.length > 1) throw new UsageError('give one FILE');
      return batchCommand({ file: positionals[0], dryRun: v['dry-run'], report: v.report, concurrency: v.concurrency, config: v.config, ledger: v.ledger, account: v.account, batch: v.batch, timeout: v.timeout, queue: v.queue, json: v.json }, io);
    }
    case 'worker': {
      const { workerCommand, WORKER_HELP } = await import('./commands/worker.js');
      const { values: v } = parse({
        args: [...args],
        strict: true,
        options: { config: { type: 'string' }, ledger: { type: 'string' }, concurrency: { type: 'string' }, timeout: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      });
      if (v.help) return io.stdout.write(WORKER_HELP), EXIT.ok;
      return workerCommand({ config: v.config, ledger: v.ledger, concurrency: v.concurrency, timeout: v.timeout, json: v.json }, io);
    }
    case 'validate': {
      const { validateCommand, VALIDATE_HELP } = await import('./commands/validate.js');
      const { values: v, positionals } = parse({
        args: [...args],
        strict: true,
        allowPositionals: true,
        options: { provider: { type: 'string' }, message: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      });
      if (v.help) return io.stdout.write(VALIDATE_HELP), EXIT.ok;
      if (positionals.length > 1) throw new UsageError('give one FILE');
      return validateCommand({ provider: v.provider, message: v.message, file: positionals[0] }, io);
    }
    case 'demo': {
      const { demoCommand, DEMO_HELP } = await import('./commands/demo.js');
      const { values: v } = parse({ args: [...args], strict: true, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
      if (v.help) return io.stdout.write(DEMO_HELP), EXIT.ok;
      return demoCommand({ json: v.json }, io);
    }
    case 'ledger': {
      const { ledgerCommand } = await import('./commands/ledger.js');
      return ledgerCommand(args, io);
    }
    case 'serve': {
      const { serveCommand, SERVE_HELP } = await import('./commands/serve.js');
      const { values: v } = parse({
        args: [...args],
        strict: true,
        options: { config: { type: 'string' }, ledger: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, timeout: { type: 'string' }, 'log-level': { type: 'string' }, 'reconcile-every': { type: 'string' }, 'reconcile-older-than': { type: 'string' }, 'shutdown-grace': { type: 'string' }, 'console-token': { type: 'string' }, 'console-host': { type: 'string', multiple: true }, 'sandbox-url': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      });
      if (v.help) return io.stdout.write(SERVE_HELP), EXIT.ok;
      return serveCommand(
        {
          config: v.config,
          ledger: v.ledger,
          port: v.port,
          host: v.host,
          timeout: v.timeout,
          logLevel: v['log-level'],
          reconcileEvery: v['reconcile-every'],
          reconcileOlderThan: v['reconcile-older-than'],
          shutdownGrace: v['shutdown-grace'],
          consoleToken: v['console-token'],
          consoleHosts: v['console-host'],
          sandboxUrl: v['sandbox-url'],
        },
        io,
      );
    }
    case 'sandbox': {
      const { sandboxCommand, SANDBOX_HELP } = await import('./commands/sandbox.js');
      if (args.includes('--help') || args.includes('-h')) return io.stdout.write(SANDBOX_HELP), EXIT.ok;
      return sandboxCommand(args, io);
    }
    default:
      io.stderr.write(`refundkit: unknown command ${printable(JSON.stringify(command))}\n\n${HELP}`);
      return EXIT.input;
  }
}

/**
 * Runs the `refundkit` command with `argv` (without node and script) and returns its exit code.
 * An error prints `refundkit: <why>` on stderr and a line saying whether anything was sent and
 * what to do, and returns its exit code from the CLI's error table (`error-exits.ts`, README
 * "Errors and exit codes"): 1 for bad input and local refusals (validation, over-refund,
 * conflict, a ledger error before sending: nothing sent), 3 when a request may have reached the
 * provider (`outcome_unrecorded`: sent, but the answer not recorded).
 *
 * @example
 * await run(['--version'], { stdout: process.stdout, stderr: process.stderr }); // prints 0.1.0, returns 0
 */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(HELP);
    return EXIT.ok;
  }
  if (command === '--version' || command === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  try {
    return await dispatch(command, rest, io);
  } catch (error) {
    // Imported here, not at the top: `--version` and `--help` load no more than they need.
    // Keyed on `error.code`; messages may quote the user's input or a provider's text (printable).
    const { errorReport } = await import('./error-exits.js');
    const report = errorReport(error, command);
    io.stderr.write(report.text);
    return report.exit;
  }
}

/**
 * What the bin does with an error that escaped everything (an uncaught exception, an unhandled
 * 'error' event of a dependency): the same as `run` with a thrown error, by the CLI's error table,
 * so a crash of `refund` says the request may have left (exit 3), never "nothing sent" (Node's 1).
 * Returns the exit code.
 */
export async function reportCrash(error: unknown, command: string | undefined, io: Pick<Io, 'stderr'>): Promise<number> {
  const { errorReport } = await import('./error-exits.js');
  const report = errorReport(error, command);
  io.stderr.write(report.text);
  return report.exit;
}

