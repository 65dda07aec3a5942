/**
 * `refundkit sandbox`: runs @refundkit/sandbox (the five providers' simulators) in the
 * foreground, prints where each provider is and the sandbox test credentials, and stops cleanly
 * on Ctrl-C (SIGINT) or SIGTERM.
 *
 * ```sh
 * refundkit sandbox --port 4010            # human-readable banner
 * refundkit sandbox --port 4010 --json     # one JSON line: URLs, endpoints, credentials (PEMs included), orders
 * ```
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import {
  MAX_FAULT_MS,
  NotificationFaultError,
  PROVIDERS,
  describeSandbox,
  parseNotificationFault,
  startSandbox,
  type ArmNotificationFaultInput,
  type Sandbox,
} from '@refundkit/sandbox';
import type { Io } from '../main.js';
import { jsonLine, printable } from '../terminal-text.js';

export const SANDBOX_HELP = `Usage: refundkit sandbox [options]

Runs local simulators of EasyPay, eftPay, Lianke, Ti-Pay and yima on one port, in the
foreground, and prints their URLs and the sandbox test credentials. Ctrl-C stops it.

Options:
  --port <n>            port to listen on (default 4010; 0 picks a free one)
  --host <address>      address to bind (default 127.0.0.1; anything beyond loopback, such as
                        0.0.0.0, lets other machines send refunds to it, and is warned about)
  --delay-ms <n>        how long asynchronous refunds stay pending (default 0, at most 600000)
  --easypay-mode <m>    realtime (default: transState 0 at once) or async (9, then 0)
  --notification-fault <f>
                        a fault in every notification sent (easypay, tipay), repeatable:
                        duplicate[;count=<n>]  the acknowledged bytes delivered n more times (1)
                        delay[;ms=<n>]         the first try sent n ms later (1000)
                        bad-signature          a try whose signature does not verify, then the real one
                        altered-amount         a try as authentic as the real one, 1 minor unit more
                        wrong-merchant         a try as authentic as the real one, another merchant
                        (also POST /__sandbox/notification-faults, per refund number)
  --console-token <t>   the console's token (or REFUNDKIT_CONSOLE_TOKEN): required when --host is
                        not loopback; the console (http://<host>:<port>/console/) shows the
                        sandbox's orders, refunds, request log, notifications and fault switches
  --json                print one JSON line instead of the banner
  -h, --help            this text
`;

export interface SandboxCommandOptions {
  /** Resolves when the sandbox should stop; default: the first SIGINT or SIGTERM. */
  readonly stop?: Promise<unknown> | undefined;
  /** Called once the sandbox is listening (tests read its URL from it). */
  readonly onReady?: ((sandbox: Sandbox) => void) | undefined;
}

export async function sandboxCommand(args: readonly string[], io: Io, options: SandboxCommandOptions = {}): Promise<number> {
  let values: { port?: string; host?: string; 'delay-ms'?: string; 'easypay-mode'?: string; 'notification-fault'?: string[]; 'console-token'?: string; json?: boolean; help?: boolean };
  try {
    values = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'delay-ms': { type: 'string' },
        'easypay-mode': { type: 'string' },
        'notification-fault': { type: 'string', multiple: true },
        'console-token': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    io.stderr.write(`refundkit sandbox: ${printable(error instanceof Error ? error.message : String(error))}\n\n${SANDBOX_HELP}`);
    return 1;
  }
  if (values.help === true) {
    io.stdout.write(SANDBOX_HELP);
    return 0;
  }
  const port = integer(values.port ?? '4010', 65535);
  const delayMs = integer(values['delay-ms'] ?? '0', MAX_FAULT_MS);
  const easypayMode = values['easypay-mode'] ?? 'realtime';
  if (port === undefined || delayMs === undefined || (easypayMode !== 'realtime' && easypayMode !== 'async')) {
    io.stderr.write(`refundkit sandbox: --port takes 0..65535, --delay-ms a whole number of ms up to ${MAX_FAULT_MS} (10 minutes), --easypay-mode realtime or async\n\n${SANDBOX_HELP}`);
    return 1;
  }
  const host = values.host ?? '127.0.0.1';
  let notificationFaults: ArmNotificationFaultInput[];
  try {
    // Every notification, every notifying provider, until the sandbox stops (or DELETE /__sandbox/notification-faults).
    notificationFaults = (values['notification-fault'] ?? []).map((text) => ({ ...parseNotificationFault(text), always: true }));
  } catch (error) {
    if (!(error instanceof NotificationFaultError)) throw error;
    io.stderr.write(`refundkit sandbox: --notification-fault: ${printable(error.message)}\n\n${SANDBOX_HELP}`);
    return 1;
  }

  // The console, at /console on the sandbox's own port: loaded at its first request, pointed at this sandbox.
  const consoleToken = values['console-token'] ?? (io.env ?? process.env)['REFUNDKIT_CONSOLE_TOKEN'];
  let consoleHandler: Promise<(req: IncomingMessage, res: ServerResponse) => void> | undefined;
  const loadConsole = async () => {
    const { createConsoleHandler } = await import('@refundkit/console');
    return createConsoleHandler({ bindHost: host, token: consoleToken, sandboxUrl: sandbox.baseUrl });
  };
  const mounts = {
    '/console': (req: IncomingMessage, res: ServerResponse) => {
      (consoleHandler ??= loadConsole()).then(
        (handle) => handle(req, res),
        (error: unknown) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'console_unavailable', message: `the console could not be loaded: ${error instanceof Error ? error.message : String(error)}` } }));
        },
      );
    },
  };
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({ port, host, delayMs, easypayMode, notificationFaults, mounts, onWarning: (message) => io.stderr.write(`refundkit sandbox: warning: ${printable(message)}\n`) });
  } catch (error) {
    // Bounds (ms, count) are checked when the faults are armed, before the sandbox listens.
    if (error instanceof NotificationFaultError) {
      io.stderr.write(`refundkit sandbox: --notification-fault: ${printable(error.message)}\n\n${SANDBOX_HELP}`);
      return 1;
    }
    io.stderr.write(`refundkit sandbox: cannot listen on ${printable(host)}:${port}: ${printable(error instanceof Error ? error.message : String(error))}\n`);
    return 1;
  }
  const stop = options.stop ?? untilSignal();
  if (values.json === true) {
    io.stdout.write(
      jsonLine({
        baseUrl: sandbox.baseUrl,
        urls: sandbox.urls,
        endpoints: sandbox.endpoints,
        controlUrl: sandbox.controlUrl,
        note: 'sandbox test credentials: made up for this local sandbox, they work nowhere else',
        credentials: sandbox.credentials,
        orders: Object.fromEntries(PROVIDERS.map((p) => [p, sandbox.orders(p)])),
        notificationFaults: sandbox.armedNotificationFaults(),
      }),
    );
  } else {
    io.stdout.write(`${describeSandbox(sandbox)}\nConsole: ${sandbox.baseUrl}/console/\nPress Ctrl-C to stop.\n`);
  }
  options.onReady?.(sandbox);
  await stop;
  await sandbox.close();
  io.stderr.write('refundkit sandbox: stopped\n');
  return 0;
}

function integer(text: string, max: number): number | undefined {
  if (!/^\d{1,16}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= max ? n : undefined;
}

/** The first SIGINT or SIGTERM; both handlers are removed once it comes. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
