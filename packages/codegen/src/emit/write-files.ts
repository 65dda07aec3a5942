import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** A generated package as a map from package-relative path to file content. */
export type FileSet = Record<string, string>;

function listFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

/**
 * Writes `files` under `outDir`, touching only files whose content changed (so a regeneration
 * that changes nothing leaves mtimes and turbo's cache alone), and deletes files under the
 * `owned` folders that the generator no longer produces.
 */
export function writeFileSet(outDir: string, files: FileSet, owned: readonly string[] = ['src']): { written: string[]; removed: string[] } {
  const written: string[] = [];
  const removed: string[] = [];
  for (const [path, content] of Object.entries(files)) {
    const target = join(outDir, path);
    let current: string | undefined;
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      current = undefined;
    }
    if (current !== content) {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
      written.push(path);
    }
  }
  for (const folder of owned) {
    for (const file of listFiles(join(outDir, folder))) {
      const path = relative(outDir, file).split('\\').join('/');
      if (!(path in files)) {
        rmSync(file);
        removed.push(path);
      }
    }
  }
  return { written, removed };
}
