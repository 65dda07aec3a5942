#!/usr/bin/env node
// Committed with its run bit: tsc output has none, so the published bin is this shim.
import { run } from '../dist/main.js';

run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`refundkit: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
