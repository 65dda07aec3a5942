import { readFileSync } from 'node:fs';

/** Where the command writes: injected so tests capture output without spawning. */
export interface Io {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
}

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export const HELP = `refundkit ${VERSION}: refunds across EasyPay, eftPay, Lianke, Ti-Pay and ImageCo ipos

Usage:
  refundkit --help        this text
  refundkit --version     the version
  refundkit sandbox       run the five providers' local simulators (--port 4010; Ctrl-C stops)

Exit codes: 0 success, 1 bad input.
`;

/**
 * Runs the `refundkit` command with `argv` (without node and script) and returns its exit code.
 *
 * @example
 * await run(['--version'], { stdout: process.stdout, stderr: process.stderr }); // prints 0.1.0, returns 0
 */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const [command] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(HELP);
    return 0;
  }
  if (command === '--version' || command === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (command === 'sandbox') {
    // Loaded on demand: the simulators pull in every provider package.
    const { sandboxCommand } = await import('./commands/sandbox.js');
    return sandboxCommand(argv.slice(1), io);
  }
  io.stderr.write(`refundkit: unknown command ${JSON.stringify(command)}\n\n${HELP}`);
  return 1;
}
