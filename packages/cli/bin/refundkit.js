#!/usr/bin/env node
// Committed with its run bit: tsc output has none, so the published bin is this shim.
import { reportCrash, run } from '../dist/main.js';

// Node prints each process warning as several raw lines (a dependency's notice: pg 8 warns when
// it reads ~/.pgpass); the person running refundkit gets one line, marked as a warning.
process.removeAllListeners('warning');
process.on('warning', (warning) => process.stderr.write(`refundkit: warning: ${String(warning?.message ?? warning).split('\n')[0]}\n`));

/**
 * Ends the process once the command is done and what it printed is flushed. A finished command
 * has nothing left to wait for, but fetch keeps its connection to the provider open (keep-alive)
 * and would hold the process for as long as the server keeps it: up to seconds after the answer
 * (CLI start, issue #15).
 */
function exitWhenFlushed(code) {
  process.exitCode = code;
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

// A crash is reported like any error, by the CLI's table: Node's own exit code (1) would say
// "nothing sent" even when `refund` crashed after its request left. Once crashed, the crash's
// report and exit code are the command's, whatever the command does meanwhile.
let crashing = false;
const crashed = (error) => {
  if (crashing) return;
  crashing = true;
  reportCrash(error, process.argv[2], { stderr: process.stderr }).then(exitWhenFlushed, () => exitWhenFlushed(process.argv[2] === 'refund' ? 3 : 1));
};
process.on('uncaughtException', crashed);

run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then((code) => crashing || exitWhenFlushed(code), crashed);
