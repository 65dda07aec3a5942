import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The repository stands alone (issue 12): a clone has nothing beside it, so no tracked file may
 * point at the team's folder next to the repository (its provider notes and seed documents).
 * Their facts live in `docs/providers/`. The patterns are assembled here so that this file does
 * not match itself.
 */
const root = join(import.meta.dirname, '../..');
const SHARED = 'shared';
const OUTSIDE = [`../${SHARED}`, `${SHARED}/seeds`, `${SHARED}/PROVIDERS`];
/** Written by npm, not by us; it names no such path, but it is large and not ours to police. */
const SKIPPED = new Set(['package-lock.json']);
const UNTRACKED_DIRS = new Set(['.git', 'node_modules', 'dist', '.turbo', 'coverage', '.refundkit']);

/** The tracked files (`git ls-files`), or, outside a git checkout, every file but build output. */
function projectFiles(): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\0')
      .filter(Boolean);
  } catch {
    const out: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory() && !UNTRACKED_DIRS.has(entry.name)) walk(join(dir, entry.name));
        else if (entry.isFile()) out.push(relative(root, join(dir, entry.name)));
      }
    };
    walk(root);
    return out;
  }
}

/** `file:line: text` for every line of `text` that points outside the repository. */
export function outsideReferences(file: string, text: string): string[] {
  return text
    .split('\n')
    .flatMap((line, i) => (OUTSIDE.some((p) => line.includes(p)) ? [`${file}:${i + 1}: ${line.trim().slice(0, 160)}`] : []));
}

describe('the repository stands alone', () => {
  it('no tracked file cites the folder beside the repository', () => {
    const files = projectFiles().filter((f) => !SKIPPED.has(f));
    expect(files.length).toBeGreaterThan(100);
    expect(files).toContain('README.md');
    const found = files.flatMap((f) => {
      try {
        return outsideReferences(f, readFileSync(join(root, f), 'utf8'));
      } catch {
        return []; // a file deleted in the working tree but still in the index
      }
    });
    expect(found).toEqual([]);
  });

  it('recognises each form of such a reference, and not the bundle chunk dist/shared.js', () => {
    expect(outsideReferences('a.md', `see \`../${SHARED}/PROVIDERS.md\``)).toEqual([`a.md:1: see \`../${SHARED}/PROVIDERS.md\``]);
    expect(outsideReferences('b.py', `# --- seeds (../../../../../${SHARED}/seeds)`)).toHaveLength(1);
    expect(outsideReferences('c.ts', `const seeds = '/work/${SHARED}/seeds/000.txt';`)).toHaveLength(1);
    expect(outsideReferences('d.ts', `read ${SHARED}/PROVIDERS.md first`)).toHaveLength(1);
    expect(outsideReferences('e.ts', "import './shared.js';\nchunk: dist/shared.js")).toEqual([]);
  });
});
