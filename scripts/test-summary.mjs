// Adds up the vitest JSON reports every workspace wrote (see vitest.config.base.ts) into one line
// CI can read: "Node v24.22.3 (primary): tests: N passed, N failed, N skipped". .ci/run calls it
// after each Node line's run, since the next line's run overwrites the reports. Exits 1 when a
// report is missing or nothing ran.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** Workspace folders from the root package.json's patterns (`dir/*` or `dir`; Node 20 has no fs.globSync). */
function workspaceDirs() {
  return readJson(join(root, 'package.json')).workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const base = pattern.slice(0, -2);
    return readdirSync(join(root, base), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(root, base, d.name, 'package.json')))
      .map((d) => join(base, d.name));
  });
}

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const dir of workspaceDirs()) {
  if (!readJson(join(root, dir, 'package.json')).scripts?.test) continue;
  const report = join(root, dir, '.vitest-report.json');
  if (!existsSync(report)) {
    missing.push(dir);
    continue;
  }
  const r = readJson(report);
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
}
// The line's role (scripts/node-lines.txt), as .ci/run passes it to the tests.
const role = process.env.REFUNDKIT_NODE_LINE_ROLE ?? 'primary';
// The console's browser tests (the primary line's extra step) write a report of their own.
const browserReport = join(root, 'test', '.vitest-browser-report.json');
let browser = '';
if (existsSync(browserReport)) {
  const r = readJson(browserReport);
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  browser = ` (browser: ${r.numPassedTests} passed, ${r.numFailedTests} failed)`;
}
console.log(`Node ${process.version} (${role}): tests: ${passed} passed, ${failed} failed, ${skipped} skipped${browser}`);
if (missing.length > 0) console.error(`no test report from: ${missing.join(', ')}`);
process.exit(failed > 0 || passed === 0 || missing.length > 0 ? 1 : 0);
