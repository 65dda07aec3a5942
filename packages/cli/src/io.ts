/** Where a command writes: injected so tests capture output without spawning. */
export interface Io {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
  /** Environment for `{"env": "VAR"}` config values; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Working directory for relative paths; default `process.cwd()`. */
  readonly cwd?: string;
}

/** Exit codes (README): 0 succeeded or done, 1 bad input or local refusal (nothing sent), 2 failed, 3 unknown (or sent but not recorded), 4 pending. */
export const EXIT = { ok: 0, input: 1, failed: 2, unknown: 3, pending: 4 } as const;

/** A refusal to print as `refundkit: <message>` with exit code 1 (code `usage` in the CLI's error table). */
export class UsageError extends Error {
  readonly code = 'usage';
}
