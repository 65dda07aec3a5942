import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * A reviewer holding the seed document beside the spec must find nothing missing: every field
 * name the document prints (table rows, example keys, example XML elements) is a property or
 * element of the provider's contract.
 */
const seeds = join(import.meta.dirname, '../../../shared/seeds');
const specs = join(import.meta.dirname, '../../specs');

const SEED_OF: Record<string, string> = {
  easypay: '000_ab874b38a2825537.txt',
  eftpay: '001_606cb984cfd4971d.txt',
  lianke: '002_78fdc1a4eb64e954.txt',
  tipay: '003_be58bfa688427e8f.txt',
  yima: '004_49879e424ed21170.txt',
};

/** Field names as the document prints them. */
export function seedFieldNames(text: string): Set<string> {
  const names = new Set<string>();
  const lines = text.split('\n').map((l) => l.trim());
  const identifier = /^[a-z][A-Za-z0-9_]*$/;
  lines.forEach((line, i) => {
    // table rows: "name | type | ..." or "| name |"; yima writes "parent->child"
    const cell = /^\|?\s*([A-Za-z_][\w>-]*)\s*\|/.exec(line)?.[1];
    if (cell) for (const part of cell.split('->')) if (identifier.test(part)) names.add(part);
    // JSON examples: "key": or "key" :
    for (const m of line.matchAll(/"([A-Za-z_][A-Za-z0-9_]*)"\s*:/g)) names.add(m[1]!);
    // XML examples
    for (const m of line.matchAll(/<([a-z_][a-z0-9_]*)>/g)) names.add(m[1]!);
    // field lists: a name alone on its line, its type on the next (Ti-Pay, EasyPay)
    const next = lines[i + 1] ?? '';
    if (identifier.test(line) && /^(string|integer|boolean|object|array)\b/.test(next)) names.add(line);
  });
  return names;
}

/**
 * Every property, parameter, header and element name a contract declares, and the text of its
 * correction notes (a printed name the spec decides against, like a misspelling, is named there).
 */
function contractNames(provider: string): { names: Set<string>; corrections: string } {
  const dir = join(specs, provider);
  const names = new Set<string>();
  let corrections = '';
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if (record['x-refundkit-correction'] !== undefined) corrections += JSON.stringify(record['x-refundkit-correction']);
    if (record['properties'] && typeof record['properties'] === 'object') for (const k of Object.keys(record['properties'] as object)) names.add(k);
    if ((record['in'] === 'header' || record['in'] === 'query') && typeof record['name'] === 'string') names.add(record['name']);
    Object.values(record).forEach(visit);
  };
  for (const file of readdirSync(dir).filter((f) => !f.startsWith('examples'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    if (file.endsWith('.yaml')) visit(parse(text));
    if (file.endsWith('.xsd')) {
      for (const m of text.matchAll(/<xs:element[^>]*\bname="([^"]+)"/g)) names.add(m[1]!);
      for (const m of text.matchAll(/<refundkit:correction>([\s\S]*?)<\/refundkit:correction>/g)) corrections += m[1];
    }
    if (file.endsWith('.schema.json')) visit(JSON.parse(text));
  }
  return { names, corrections };
}

/** Words the extraction picks up that are not fields (XML prolog, prose). */
const NOT_FIELDS = new Set(['xml', 'business_trans']);

describe.each(Object.entries(SEED_OF))('%s: every field of the seed document is in the contract', (provider, seed) => {
  it('has all of them', () => {
    const printed = [...seedFieldNames(readFileSync(join(seeds, seed), 'utf8'))].filter((n) => !NOT_FIELDS.has(n));
    expect(printed.length).toBeGreaterThan(5);
    const { names, corrections } = contractNames(provider);
    const missing = printed.filter((n) => !names.has(n) && !new RegExp(`\\b${n}\\b`).test(corrections));
    expect(missing).toEqual([]);
  });
});
