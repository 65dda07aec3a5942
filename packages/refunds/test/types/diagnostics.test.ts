/**
 * The compiler's words for each mistake in refund-mistakes.ts (issue 14): the file is compiled
 * with the TypeScript compiler API, its `@ts-expect-error` directives removed, and the error on
 * the line after each directive must contain every [bracketed] word of the directive — the
 * provider's type (`EasypayOptions`) and the field — so no message reads "not assignable to
 * 'never'" or names another provider. A {braced} word must be in the first line of the message
 * itself (what an editor shows first), not only in its elaboration or related information: that is
 * where the provider's name belongs (`TipayCurrency`, `RefundInputOf<"easypay">`, `TipayConfig`).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, 'refund-mistakes.ts');
const source = readFileSync(fixture, 'utf8');

/**
 * Each directive's line (1-based, the line it guards), the words its error must contain anywhere
 * ([bracketed]) and the words its message's first line must contain ({braced}).
 */
const expectations = source.split('\n').flatMap((line, index) => {
  const match = /\/\/ @ts-expect-error (.*)$/.exec(line);
  if (!match) return [];
  const firstLine = [...match[1]!.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  return [{ line: index + 2, words: [...[...match[1]!.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]!), ...firstLine], firstLine }];
});

interface LineDiagnostics {
  /** Every message on the line, elaborations and related information included. */
  readonly text: string;
  /** The first line of each message on the line (its headline). */
  readonly headlines: readonly string[];
}

/** The diagnostics of the fixture without its directives, by line, with their related information. */
function compileWithoutDirectives(): Map<number, LineDiagnostics> {
  const configFile = ts.findConfigFile(join(here, '..', '..'), ts.sys.fileExists, 'tsconfig.json')!;
  const parsed = ts.getParsedCommandLineOfConfigFile(configFile, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const stripped = source.replace(/\/\/ @ts-expect-error /g, '// expect: ');
  const host = ts.createCompilerHost(parsed.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, languageVersion, ...rest) =>
    name === fixture ? ts.createSourceFile(name, stripped, languageVersion, true) : getSourceFile(name, languageVersion, ...rest);
  const program = ts.createProgram([fixture], { ...parsed.options, noEmit: true }, host);
  const byLine = new Map<number, LineDiagnostics>();
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    if (diagnostic.file?.fileName !== fixture || diagnostic.start === undefined) continue;
    const line = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1;
    const related = (diagnostic.relatedInformation ?? []).map((info) => ts.flattenDiagnosticMessageText(info.messageText, '\n'));
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const before = byLine.get(line);
    byLine.set(line, {
      text: [before?.text, message, ...related].filter(Boolean).join('\n'),
      headlines: [...(before?.headlines ?? []), message.split('\n')[0]!],
    });
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

  it('asks for words in the first line of every message (the provider\'s name, or the unknown key)', () => {
    expect(expectations.filter((e) => e.firstLine.length === 0)).toEqual([]);
    expect(expectations.filter((e) => e.firstLine.length > 1).length).toBeGreaterThanOrEqual(10);
  });

  it.each(expectations)('line $line: the error names $words', ({ line, words, firstLine }) => {
    const found = diagnostics.get(line);
    expect(found, `no error on line ${line}`).toBeDefined();
    for (const word of words) expect(found!.text).toContain(word);
    for (const word of firstLine) expect(found!.headlines.some((headline) => headline.includes(word)), `${word} in ${JSON.stringify(found!.headlines)}`).toBe(true);
    expect(found!.text).not.toMatch(/type 'never'/);
  });
});
