/**
 * What each command loads (issue #15, CLI start), without timing anything: the shipped bin runs in
 * a fresh Node process with a module hook that writes down every ES module it loads, and the
 * CommonJS modules it required are listed at exit. `--version` must load no provider, neither the
 * facade nor the sandbox; `validate --provider tipay` tipay's contract alone. The speed itself is
 * measured by bench/cli-start.bench.mjs. Requires a build.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support.js';

const BIN = join(REPO_ROOT, 'packages/cli/bin/refundkit.js');
const dir = mkdtempSync(join(tmpdir(), 'refundkit-cli-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Appends each ES module's URL to `data.file` as Node loads it (runs on Node's hooks thread). */
const HOOKS = `
import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function load(url, context, next) {
  appendFileSync(file, url + '\\n');
  return next(url, context);
}
`;

/** Registers the hooks (`--import`), and writes the CommonJS modules required when the process exits. */
const PRELOAD = `
import { appendFileSync, writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
const file = process.env.LOADED_FILE;
writeFileSync(file, '');
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}), { data: { file } });
const require = createRequire(import.meta.url);
process.on('exit', () => appendFileSync(file, Object.keys(require.cache).join('\\n') + '\\n'));
`;

const preload = join(dir, 'preload.mjs');
writeFileSync(preload, PRELOAD);

/** Runs the bin with `args`; returns its exit code and every module file it loaded. */
function loadedBy(args: readonly string[]): { status: number | null; loaded: string[]; stderr: string } {
  const file = join(dir, `loaded-${args[0]}.txt`);
  const result = spawnSync(process.execPath, ['--import', pathToFileURL(preload).href, BIN, ...args], {
    cwd: dir,
    env: { ...process.env, LOADED_FILE: file },
    encoding: 'utf8',
  });
  return { status: result.status, loaded: readFileSync(file, 'utf8').split('\n').filter(Boolean), stderr: result.stderr };
}

const GENERATED = /(?:generated|@refundkit)\/(easypay|eftpay|lianke|tipay|yima)\//;
const providersIn = (loaded: readonly string[]): string[] => [...new Set(loaded.map((id) => GENERATED.exec(id)?.[1]).filter((p): p is string => p !== undefined))].sort();
const loads = (loaded: readonly string[], pattern: RegExp): boolean => loaded.some((id) => pattern.test(id));

const SANDBOX = /packages\/sandbox\/|@refundkit\/sandbox\//;
const FACADE = /packages\/refunds\/|@refundkit\/refunds\//;
const XML = /node_modules\/(xml-js|sax|iconv-lite)\//;

describe('the CLI loads only what the command needs', () => {
  it('--version loads no provider, no facade, no sandbox, not even the runtime', () => {
    const { status, loaded } = loadedBy(['--version']);
    expect(status).toBe(0);
    expect(loads(loaded, /packages\/runtime\/|@refundkit\/runtime\//)).toBe(false);
    expect(loads(loaded, /packages\/cli\/dist\/(refund|status|validate|demo|sandbox|facade)\.js$/)).toBe(false);
    expect(loaded.some((id) => id.endsWith('packages/cli/dist/main.js'))).toBe(true);
    expect(providersIn(loaded)).toEqual([]);
    expect(loads(loaded, FACADE)).toBe(false);
    expect(loads(loaded, SANDBOX)).toBe(false);
    expect(loads(loaded, XML)).toBe(false);
  });

  it('validate --provider tipay loads the tipay contract alone', () => {
    const { status, loaded, stderr } = loadedBy(['validate', '--provider', 'tipay', '--message', 'refund.request', join(REPO_ROOT, 'specs/tipay/examples/refund.request.json')]);
    expect(status, stderr).toBe(0);
    expect(providersIn(loaded)).toEqual(['tipay']);
    expect(loads(loaded, SANDBOX)).toBe(false);
    expect(loads(loaded, XML)).toBe(false);
  });

  it('batch loads no job queue without --queue, worker --help none either: @refundkit/queue and graphile-worker load for --queue and worker only', () => {
    const QUEUE = /packages\/queue\/|@refundkit\/queue\/|node_modules\/graphile-worker\//;
    const file = join(dir, 'rows.csv');
    writeFileSync(file, 'provider,order,refund_id,amount\ntipay,ORDER0000001,REFUND0000001,1.00\n');
    writeFileSync(join(dir, 'refundkit.config.json'), JSON.stringify({ providers: { tipay: { baseUrl: 'http://127.0.0.1:9', appId: 'tichain000000', appKey: 'k', merchantNo: '10012426723' } } }));
    const batch = loadedBy(['batch', file, '--dry-run', '--ledger', ':memory:']);
    expect(batch.status, batch.stderr).toBe(0);
    expect(loads(batch.loaded, QUEUE)).toBe(false);
    expect(loads(batch.loaded, SANDBOX)).toBe(false);
    expect(providersIn(batch.loaded)).toEqual(['tipay']);
    const worker = loadedBy(['worker', '--help']);
    expect(worker.status).toBe(0);
    expect(loads(worker.loaded, QUEUE)).toBe(false);
  });

  it('refund --help loads no provider and no sandbox', () => {
    const { status, loaded } = loadedBy(['refund', '--help']);
    expect(status).toBe(0);
    expect(providersIn(loaded)).toEqual([]);
    expect(loads(loaded, SANDBOX)).toBe(false);
  });
});
