// What a mass refund shows while it runs: on a terminal, one live line per provider account
// (redrawn in place by log-update); otherwise a plain line per account every few seconds (a log
// file or CI keeps them); with --json nothing here (the rows go to stdout).
import { createLogUpdate } from 'log-update';
import type { BatchProgress, LaneProgress } from '@refundkit/refunds';
import { printable } from '../terminal-text.js';

/** Where progress goes: stderr, whose `isTTY` says which kind. */
export interface ProgressStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
}

export interface ProgressView {
  update(progress: BatchProgress): void;
  /** Draws the last state and stops (the terminal's line stays). */
  done(): void;
}

const eta = (seconds: number | undefined): string => {
  if (seconds === undefined) return 'ETA ?';
  if (seconds < 60) return `ETA ${Math.ceil(seconds)}s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `ETA ${m}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s` : `ETA ${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
};

/** One lane on one line, e.g. `tipay 10012426723  120/400 done  succeeded 118  pending 1  failed 1  unknown 0  12.0/s  ETA 23s`. */
export function laneLine(lane: LaneProgress): string {
  const name = `${lane.provider} ${printable(lane.account)}`;
  return `${name.padEnd(24)} ${`${lane.done}/${lane.total}`.padStart(11)} done  succeeded ${lane.succeeded}  pending ${lane.pending}  failed ${lane.failed}  unknown ${lane.unknown}  ${lane.ratePerSecond.toFixed(1)}/s  ${eta(lane.etaSeconds)}`;
}

/** A live view on a terminal: redrawn at most every `everyMs`, one line per lane. */
function terminalView(stream: ProgressStream, everyMs: number): ProgressView {
  // A terminal that reports no size (a pty nobody sized: `script` without a terminal, some CI
  // runners) says 0 rows, and log-update would clip every frame to nothing: assume 24 rows and $COLUMNS (else 120) columns then.
  const sized = {
    isTTY: true,
    get columns(): number {
      return stream.columns || Number(process.env['COLUMNS']) || 120;
    },
    get rows(): number {
      return (stream as { rows?: number }).rows || 24;
    },
    write: (chunk: string) => stream.write(chunk),
  };
  const draw = createLogUpdate(sized as unknown as NodeJS.WriteStream, { showCursor: true });
  let last: BatchProgress | undefined;
  let drawnAt = 0;
  const render = (progress: BatchProgress): void => {
    draw(`${progress.lanes.map(laneLine).join('\n')}\n${`all: ${progress.counts.done}/${progress.counts.total} done`}`);
  };
  return {
    update(progress) {
      last = progress;
      const now = performance.now();
      if (now - drawnAt >= everyMs) {
        drawnAt = now;
        render(progress);
      }
    },
    done() {
      if (last) render(last);
      draw.done();
    },
  };
}

/** Plain lines every `everyMs` (and at the end), prefixed `refundkit: batch`. */
function plainView(stream: ProgressStream, everyMs: number): ProgressView {
  let last: BatchProgress | undefined;
  let printedAt = performance.now();
  let printedLast: BatchProgress | undefined;
  const print = (progress: BatchProgress): void => {
    printedLast = progress;
    for (const lane of progress.lanes) stream.write(`refundkit: batch ${laneLine(lane)}\n`);
  };
  return {
    update(progress) {
      last = progress;
      const now = performance.now();
      if (now - printedAt >= everyMs) {
        printedAt = now;
        print(progress);
      }
    },
    done() {
      if (last && last !== printedLast) print(last);
    },
  };
}

/** The view for `stream`: live on a terminal, plain lines otherwise; none with `--json`. */
export function progressView(stream: ProgressStream, options: { json: boolean; everyMs?: number }): ProgressView {
  if (options.json) return { update: () => undefined, done: () => undefined };
  return stream.isTTY === true ? terminalView(stream, options.everyMs ?? 100) : plainView(stream, options.everyMs ?? 2_000);
}
