/**
 * The compiler's words for each mistake in refund-mistakes.ts (issue 14): the file is compiled
 * with the TypeScript compiler API, its `@ts-expect-error` directives removed, and the error on
 * the line after each directive must contain every [bracketed] word of the directive — the
 * provider's type (`EasypayOptions`) and the field — so no message reads "not assignable to
 * 'never'" or names another provider.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, 'refund-mistakes.ts');
const source = readFileSync(fixture, 'utf8');

/** Each directive's line (1-based, the line it guards) and the words its error must contain. */
const expectations = source.split('\n').flatMap((line, index) => {
  const match = /\/\/ @ts-expect-error (.*)$/.exec(line);
  return match ? [{ line: index + 2, words: [...match[1]!.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]!) }] : [];
});

/** The diagnostics of the fixture without its directives, by line, with their related information. */
function compileWithoutDirectives(): Map<number, string> {
  const configFile = ts.findConfigFile(join(here, '..', '..'), ts.sys.fileExists, 'tsconfig.json')!;
  const parsed = ts.getParsedCommandLineOfConfigFile(configFile, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const stripped = source.replace(/\/\/ @ts-expect-error /g, '// expect: ');
  const host = ts.createCompilerHost(parsed.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, languageVersion, ...rest) =>
    name === fixture ? ts.createSourceFile(name, stripped, languageVersion, true) : getSourceFile(name, languageVersion, ...rest);
  const program = ts.createProgram([fixture], { ...parsed.options, noEmit: true }, host);
  const byLine = new Map<number, string>();
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    if (diagnostic.file?.fileName !== fixture || diagnostic.start === undefined) continue;
    const line = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1;
    const related = (diagnostic.relatedInformation ?? []).map((info) => ts.flattenDiagnosticMessageText(info.messageText, '\n'));
    byLine.set(line, [byLine.get(line), ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'), ...related].filter(Boolean).join('\n'));
  }
  return byLine;
}

describe('compiler errors for refund mistakes', () => {
  const diagnostics = compileWithoutDirectives();

  it('finds every directive of the fixture (the fixture is read)', () => {
    expect(expectations.length).toBeGreaterThanOrEqual(10);
  });

  it('reports no error on the lines that are right', () => {
    const expected = new Set(expectations.map((e) => e.line));
    expect([...diagnostics.keys()].filter((line) => !expected.has(line))).toEqual([]);
  });

  it.each(expectations)('line $line: the error names $words', ({ line, words }) => {
    const text = diagnostics.get(line);
    expect(text, `no error on line ${line}`).toBeDefined();
    for (const word of words) expect(text).toContain(word);
    expect(text).not.toMatch(/type 'never'/);
  });
});
