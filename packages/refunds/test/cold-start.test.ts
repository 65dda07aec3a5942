/**
 * What importing the facade loads (issue #7, cold start), without timing anything: a fresh Node
 * process imports the built package (dist/index.js, rebuilt first when stale:
 * test/global-setup.ts) with a module hook that writes down every ES module it loads, then
 * reports those, the CommonJS modules in `require.cache` and the built-ins Node loaded; then it
 * loads one provider's adapter and reports again. The speed itself is measured by
 * bench/cold-start.bench.mjs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = pathToFileURL(join(root, 'dist', 'index.js')).href;
const dir = mkdtempSync(join(tmpdir(), 'refundkit-cold-start-'));
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

const CHILD = `
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
const [file] = process.argv.slice(1);
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}), { data: { file } });
writeFileSync(file, '');
const snapshot = () => ({
  esm: readFileSync(file, 'utf8').split('\\n').filter(Boolean),
  cjs: Object.keys(createRequire(import.meta.url).cache),
  builtins: process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length)),
});
const refunds = await import(${JSON.stringify(entry)});
const imported = snapshot();
await refunds.ADAPTERS.tipay.load();
process.stdout.write(JSON.stringify({ imported, tipayLoaded: snapshot() }));
`;

interface Snapshot {
  readonly esm: string[];
  readonly cjs: string[];
  readonly builtins: string[];
}

const GENERATED = /(?:generated|@refundkit)\/(easypay|eftpay|lianke|tipay|yima)\//;
/** Dependencies that only a provider needs, some of them trees of many files. */
const PROVIDER_DEPENDENCIES = /node_modules\/(ajv|lossless-json|xml-js|sax|iconv-lite|openapi-fetch)\//;

const providersIn = (snapshot: Snapshot): string[] =>
  [...new Set([...snapshot.esm, ...snapshot.cjs].map((id) => GENERATED.exec(id)?.[1]).filter((p): p is string => p !== undefined))].sort();
const dependenciesIn = (snapshot: Snapshot, pattern: RegExp): string[] => [...snapshot.esm, ...snapshot.cjs].filter((id) => pattern.test(id));

let imported: Snapshot;
let tipayLoaded: Snapshot;

beforeAll(() => {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD, join(dir, 'loaded.txt')], { cwd: root, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  ({ imported, tipayLoaded } = JSON.parse(run.stdout) as { imported: Snapshot; tipayLoaded: Snapshot });
});

describe('importing @refundkit/refunds', () => {
  it('loads no generated provider package', () => {
    expect(imported.esm).toContain(entry);
    expect(providersIn(imported)).toEqual([]);
  });

  it('loads none of the providers’ dependencies (ajv, lossless-json, xml-js, iconv-lite, openapi-fetch)', () => {
    expect(dependenciesIn(imported, PROVIDER_DEPENDENCIES)).toEqual([]);
  });

  it('loads each refundkit package bundled (refunds: its entry and the one chunk it shares with the adapters; the provider registry, tiny data), and node:crypto not at all', () => {
    const own = imported.esm.filter((url) => url.startsWith('file:') && !url.includes('/node_modules/'));
    expect(own.map((url) => url.replace(/^.*\/(packages|generated)\//, '$1/')).sort()).toEqual([
      'generated/registry/dist/index.js',
      'packages/refunds/dist/index.js',
      'packages/refunds/dist/shared.js',
      'packages/runtime/dist/index.js',
    ]);
    expect(imported.builtins).not.toContain('crypto');
  });
});

describe('the first use of a provider', () => {
  it('loads that provider’s generated package, bundled, and no other', () => {
    expect(providersIn(tipayLoaded)).toEqual(['tipay']);
    expect(tipayLoaded.esm.filter((url) => GENERATED.test(url) && !url.includes('/node_modules/'))).toHaveLength(1);
  });

  it('still loads neither ajv nor lossless-json: validators are precompiled, lossless-json waits for a Ti-Pay answer that needs it', () => {
    expect(dependenciesIn(tipayLoaded, /node_modules\/(ajv|lossless-json)\//)).toEqual([]);
  });
});
