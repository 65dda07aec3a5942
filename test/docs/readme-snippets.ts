// Extracts every fenced `ts` block of every README (root, packages/*, generated/*) and
// type-checks each as a module of its own against the built packages (issue 14: "docs that are
// tested"). A block that uses a placeholder declares it (`declare const ...`).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export interface Snippet {
  /** `README.md#2` style: the file, relative to the repository, and the block's number in it. */
  readonly id: string;
  readonly readme: string;
  /** The line of the README the block starts on (the fence). */
  readonly line: number;
  readonly code: string;
  /** Marked ```ts runnable: run against the sandbox, not only type-checked. */
  readonly runnable: boolean;
}

/** Every README the repository publishes: the root's, each package's, each generated package's. */
export function readmes(root: string): string[] {
  const under = (folder: string) =>
    existsSync(join(root, folder))
      ? readdirSync(join(root, folder), { withFileTypes: true })
          .filter((entry) => entry.isDirectory() && existsSync(join(root, folder, entry.name, 'README.md')))
          .map((entry) => join(root, folder, entry.name, 'README.md'))
      : [];
  return [join(root, 'README.md'), ...under('packages'), ...under('generated')].sort();
}

/** The fenced `ts` blocks of one README (```ts, or ```ts runnable). */
export function snippetsOf(root: string, file: string): Snippet[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```ts(?:\s+(runnable))?\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    const readme = relative(root, file);
    snippets.push({ id: `${readme}#${snippets.length + 1}`, readme, line: start + 1, code: body.join('\n'), runnable: open[1] === 'runnable' });
  }
  return snippets;
}

/**
 * Type-checks every snippet, each a module of its own in `dir` (inside the repository, so the
 * workspace's `node_modules` resolves `@refundkit/*` to the built packages), with the options a
 * user of the published packages would have: strict, NodeNext, `@types/node`.
 * Returns each snippet's errors, `README.md#2:3: message` style.
 */
export function typeCheck(snippets: readonly Snippet[], dir: string): Map<string, string[]> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  const files = snippets.map((snippet, i) => {
    const file = join(dir, `snippet-${i}.ts`);
    // `export {}` keeps a block without imports a module (top-level await, its own scope).
    writeFileSync(file, `${snippet.code}\nexport {};\n`);
    return file;
  });
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
    skipLibCheck: true,
    noUncheckedIndexedAccess: true,
  };
  const program = ts.createProgram(files, options);
  const errors = new Map<string, string[]>(snippets.map((s) => [s.id, []]));
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const index = diagnostic.file ? files.indexOf(diagnostic.file.fileName) : -1;
    const snippet = snippets[index];
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (!snippet || !diagnostic.file || diagnostic.start === undefined) {
      errors.set('(global)', [...(errors.get('(global)') ?? []), text]);
      continue;
    }
    const line = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1;
    errors.get(snippet.id)!.push(`${snippet.readme}:${snippet.line + line}: ${text}`);
  }
  return errors;
}

/** A runnable snippet as an ES module: TypeScript's types stripped, nothing else changed. */
export function toJavaScript(snippet: Snippet): string {
  return ts.transpileModule(`${snippet.code}\nexport {};\n`, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
}
