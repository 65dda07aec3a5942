import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Contract, ContractField } from './contract-field.js';
import { JsonSchemaDocument, notesOn } from './json-schema-fields.js';
import { jsonSchemaFileNotes, XsdMessages } from './xsd-fields.js';

type Schema = Record<string, unknown>;

/**
 * Every property, parameter, header and element name a contract declares, and the text of its
 * correction notes (a printed name the spec decides against, like a misspelling, is named there).
 */
export function contractNames(specDir: string): { names: Set<string>; corrections: string } {
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
  for (const file of readdirSync(specDir).filter((f) => !f.startsWith('examples'))) {
    const text = readFileSync(join(specDir, file), 'utf8');
    if (file.endsWith('.yaml')) visit(parse(text));
    if (file.endsWith('.xsd')) {
      for (const m of text.matchAll(/<xs:element[^>]*\bname="([^"]+)"/g)) names.add(m[1]!);
      for (const m of text.matchAll(/<refundkit:correction>([\s\S]*?)<\/refundkit:correction>/g)) corrections += m[1];
    }
    if (file.endsWith('.schema.json')) visit(JSON.parse(text));
  }
  return { names, corrections };
}

/** Names of every security scheme some `security` requirement of the document lists. */
function requiredSchemes(doc: unknown): Set<string> {
  const out = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    const record = value as Schema;
    if (Array.isArray(record['security'])) for (const requirement of record['security']) for (const name of Object.keys(requirement as object)) out.add(name);
    Object.values(record).forEach(visit);
  };
  visit(doc);
  return out;
}

/** A header the spec declares as an `apiKey` security scheme (`ti-appid`, …). */
function headerField(doc: Schema, name: string): ContractField | undefined {
  const schemes = ((doc['components'] as Schema | undefined)?.['securitySchemes'] ?? {}) as Record<string, Schema>;
  const entry = Object.entries(schemes).find(([, s]) => s['in'] === 'header' && s['name'] === name);
  if (!entry) return undefined;
  const [schemeName, scheme] = entry;
  const headersSchemas = Object.values(schemes)
    .map((s) => (s['x-refundkit-signing'] as Schema | undefined)?.['headersSchema'])
    .filter((h): h is Schema => typeof h === 'object' && h !== null);
  const declared = headersSchemas.map((h) => new JsonSchemaDocument(h).resolve(h, [name])).find((f) => f !== undefined);
  return {
    ...declared,
    required: requiredSchemes(doc).has(schemeName) || declared?.required === true,
    notes: notesOn(scheme),
  };
}

function openApiContract(specDir: string): Contract {
  const doc = parse(readFileSync(join(specDir, 'openapi.yaml'), 'utf8')) as Schema;
  const json = new JsonSchemaDocument(doc);
  const messages = (doc['x-refundkit-messages'] ?? {}) as Record<string, { schema: string }>;
  return {
    ...contractNames(specDir),
    field(message, path, location) {
      if (location === 'header') return headerField(doc, path);
      const entry = messages[message];
      return entry ? json.resolve(json.pointer(entry.schema), path.split('.')) : undefined;
    },
    notesOf(schema) {
      const node = ((doc['components'] as Schema | undefined)?.['schemas'] as Record<string, Schema> | undefined)?.[schema];
      return node ? notesOn(node) : [];
    },
  };
}

function xsdContract(specDir: string): Contract {
  const xsd = new XsdMessages(specDir);
  const jsonFiles = readdirSync(specDir).filter((f) => f.endsWith('.schema.json'));
  return {
    ...contractNames(specDir),
    field: (message, path) => xsd.field(message, path),
    notesOf: (schema) => [...xsd.notesOf(schema), ...jsonFiles.flatMap((f) => jsonSchemaFileNotes(join(specDir, f), schema))],
  };
}

/** The contract in `specDir`: `openapi.yaml`, or yima's `*.xsd`. */
export function loadContract(specDir: string): Contract & { rootName?: (message: string) => string | undefined } {
  if (existsSync(join(specDir, 'openapi.yaml'))) return openApiContract(specDir);
  const contract = xsdContract(specDir);
  const xsd = new XsdMessages(specDir);
  return { ...contract, rootName: (message) => xsd.rootName(message) };
}
