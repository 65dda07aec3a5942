/**
 * Every fenced `ts` block of every README compiles as printed (issue 14): extracted, written as
 * modules of a temporary project inside the repository (so `@refundkit/*` resolves to the built
 * packages, as it would for a user), and type-checked with the TypeScript compiler API under
 * strict NodeNext settings with `@types/node`. Placeholders are declared in the block itself.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readmes, snippetsOf, toJavaScript, typeCheck } from './readme-snippets.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = join(root, 'test', '.snippets');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const snippets = readmes(root).flatMap((file) => snippetsOf(root, file));
const errors = typeCheck(snippets, dir);

describe('README code blocks', () => {
  it('finds the blocks of the root, package and generated READMEs', () => {
    const files = new Set(snippets.map((s) => s.readme));
    for (const readme of ['README.md', 'packages/refunds/README.md', 'packages/signing/README.md', 'generated/tipay/README.md']) expect(files).toContain(readme);
    expect(snippets.length).toBeGreaterThanOrEqual(20);
  });

  it('type-check with no error outside the blocks', () => {
    expect(errors.get('(global)') ?? []).toEqual([]);
  });

  it.each(snippets.map((s) => [s.id, s] as const))('%s compiles', (id) => {
    expect(errors.get(id)).toEqual([]);
  });
});

describe('README blocks marked runnable', () => {
  const runnable = snippets.filter((s) => s.runnable);

  it('exist (the refunds README runs on the sandbox)', () => {
    expect(runnable.map((s) => s.readme)).toContain('packages/refunds/README.md');
  });

  it.each(runnable.map((s) => [s.id, s] as const))('%s runs to completion (exit 0) against the sandbox', (_id, snippet) => {
    const file = join(dir, `run-${runnable.indexOf(snippet)}.mjs`);
    writeFileSync(file, toJavaScript(snippet));
    const run = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim().length).toBeGreaterThan(0);
  }, 70_000);
});
