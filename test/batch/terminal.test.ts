/**
 * The live progress of `refundkit batch` on a terminal: the bin runs under a pseudo-terminal made
 * by util-linux `script` (no native pty addon, so it runs on every Node the project supports),
 * and what the terminal received is checked: a line per provider account redrawn in place
 * (log-update's cursor-up and erase-line sequences) ending with every row done, then the summary.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { BIN, makeRows, PROVIDERS, refundRequests, tempDir, writeConfig, writeCsv } from './support.js';

let sandbox: Sandbox;
const temp = tempDir();
beforeAll(async () => {
  sandbox = await startSandbox({ seed: false });
});
afterAll(async () => {
  await sandbox.close();
  temp.remove();
});

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

describe('refundkit batch on a terminal', () => {
  it('has util-linux script to make the pseudo-terminal', () => expect(hasScript).toBe(true));

  it('draws a live line per provider account, redrawn in place, ending with every row done', async () => {
    const rows = makeRows(sandbox, 100);
    const file = writeCsv(temp.dir, 'terminal.csv', rows);
    const config = writeConfig(temp.dir, sandbox, { limits: Object.fromEntries(PROVIDERS.map((p) => [p, { perSecond: 40, concurrency: 4 }])) });
    const command = [process.execPath, BIN, 'batch', file, '--config', config, '--ledger', join(temp.dir, 'terminal.db')].map(quote).join(' ');
    // `script -qfec CMD /dev/null`: CMD on a new pseudo-terminal (stdin, stdout and stderr all a tty); what it wrote comes out here.
    const result = await new Promise<{ status: number | null; out: string }>((resolve) => {
      const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: temp.dir, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '', TERM: 'xterm', COLUMNS: '160' } });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.on('exit', (status) => resolve({ status, out }));
    });
    expect([0, 4]).toContain(result.status);
    const screen = result.out;
    // log-update redraws: erase-line and cursor-up sequences between frames.
    expect(screen).toMatch(/\u001b\[2K/);
    expect(screen).toMatch(/\u001b\[1A/);
    const plain = screen.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
    // Every provider's lane line, at the end with its 20 rows done, with a rate and an ETA.
    for (const provider of PROVIDERS) expect(plain, provider).toMatch(new RegExp(`${provider} \\S+\\s+20/20 done  succeeded \\d+  pending \\d+  failed 0  unknown 0  \\d+\\.\\d/s  ETA 0s`));
    // Frames before the end: some lane was drawn part way.
    expect(plain).toMatch(/ ([0-9]|1[0-9])\/20 done/);
    expect(plain).toMatch(/all: 100\/100 done/);
    // No plain progress lines on a terminal, and the summary after the live view.
    expect(plain).not.toMatch(/refundkit: batch /);
    expect(plain).toMatch(/\nall\s+100\s/);
    expect(refundRequests(sandbox, rows).size).toBe(100);
  }, 60_000);
});
