import { MAX_BYTES_KEYWORD, type MaxBytes } from '../ajv/emit-validators.js';
import type { JsonSchema } from './load-json-schema.js';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const REF = /^#\/\$defs\/([A-Za-z][A-Za-z0-9]*)$/;

/** Keywords that only annotate or constrain values, and leave the TypeScript type as it is. */
const CONSTRAINTS = ['minLength', 'maxLength', 'pattern', 'minimum', 'maximum', 'minItems', 'maxItems'] as const;
const ANNOTATIONS = new Set(['description', 'title', 'examples', 'x-refundkit-assumption', 'x-refundkit-correction', MAX_BYTES_KEYWORD, ...CONSTRAINTS]);

/** `maxBytes 8 (GBK)`, or `maxBytes 6000 (GBK, of the JSON text)`: the rule as the doc comment shows it. */
function maxBytesRule(value: unknown): string {
  const rule = value as MaxBytes;
  return `${MAX_BYTES_KEYWORD} ${rule.limit} (${rule.encoding}${rule.json ? ', of the JSON text' : ''})`;
}

function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

/** A JSDoc block: the description, the validation rules, the refundkit notes. */
function docComment(schema: JsonSchema, indent: string): string {
  const lines: string[] = [];
  if (typeof schema['description'] === 'string') lines.push(...schema['description'].split('\n'));
  const rules = CONSTRAINTS.filter((k) => schema[k] !== undefined).map((k) => `${k} ${String(schema[k])}`);
  if (schema[MAX_BYTES_KEYWORD] !== undefined) rules.push(maxBytesRule(schema[MAX_BYTES_KEYWORD]));
  const allOf = Array.isArray(schema['allOf']) ? (schema['allOf'] as JsonSchema[]) : [];
  rules.push(...allOf.filter((s) => typeof s['pattern'] === 'string').map((s) => `pattern ${String(s['pattern'])}`));
  if (rules.length > 0) lines.push(`Rules: ${rules.join(', ')}.`);
  if (Array.isArray(schema['examples'])) lines.push(`@example ${(schema['examples'] as unknown[]).map((e) => JSON.stringify(e)).join(', ')}`);
  if (typeof schema['x-refundkit-assumption'] === 'string') lines.push(...`Assumption: ${schema['x-refundkit-assumption']}`.split('\n'));
  if (typeof schema['x-refundkit-correction'] === 'string') lines.push(...`Correction: ${schema['x-refundkit-correction']}`.split('\n'));
  if (lines.length === 0) return '';
  const safe = lines.map((l) => l.replace(/\*\//g, '*\\/'));
  return `${indent}/**\n${safe.map((l) => `${indent} * ${l}`.trimEnd()).join('\n')}\n${indent} */\n`;
}

/**
 * The TypeScript type of a JSON Schema, for the subset the contract's `$defs` use: `$ref` to
 * another def, `const` and `enum` (literal unions), `string`, `integer`/`number`, `boolean`,
 * `array` with `items`, and `object` with `properties`/`required` (closed objects get no index
 * signature; open ones neither, since unknown elements are kept apart from the typed value).
 * Pure constraints (`maxLength`, `pattern`, `allOf` of patterns, ...) do not change the type.
 */
export function schemaToType(schema: JsonSchema, at: string, indent = ''): string {
  if (typeof schema['$ref'] === 'string') {
    const name = REF.exec(schema['$ref'])?.[1];
    if (!name) throw new Error(`${at}: $ref ${schema['$ref']} is not a local $defs reference`);
    return name;
  }
  if (schema['const'] !== undefined) return JSON.stringify(schema['const']);
  if (Array.isArray(schema['enum'])) return (schema['enum'] as unknown[]).map((v) => JSON.stringify(v)).join(' | ');
  for (const key of Object.keys(schema)) {
    if (!ANNOTATIONS.has(key) && !['type', 'items', 'properties', 'required', 'additionalProperties', 'allOf'].includes(key)) {
      throw new Error(`${at}: keyword ${key} is not supported by the type emitter`);
    }
  }
  if (Array.isArray(schema['allOf']) && !(schema['allOf'] as JsonSchema[]).every((s) => Object.keys(s).every((k) => ANNOTATIONS.has(k)))) {
    throw new Error(`${at}: allOf is supported for pattern constraints only`);
  }
  switch (schema['type']) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array': {
      const items = schema['items'];
      if (items === null || typeof items !== 'object') throw new Error(`${at}: an array needs items`);
      const inner = schemaToType(items as JsonSchema, `${at}/items`, indent);
      return /^[A-Za-z0-9_]+$/.test(inner) ? `${inner}[]` : `Array<${inner}>`;
    }
    case 'object':
      return `{\n${objectMembers(schema, at, `${indent}  `)}${indent}}`;
    default:
      throw new Error(`${at}: type ${JSON.stringify(schema['type'])} is not supported by the type emitter`);
  }
}

function objectMembers(schema: JsonSchema, at: string, indent: string): string {
  const properties = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema['required'] ?? []) as string[]);
  return Object.entries(properties)
    .map(([name, property]) => `${docComment(property, indent)}${indent}${propertyKey(name)}${required.has(name) ? '' : '?'}: ${schemaToType(property, `${at}/properties/${name}`, indent)};\n`)
    .join('');
}

/**
 * `src/types.ts`: one exported interface per object def (the XSD complex types and the JSON
 * payload's objects) and a type alias per other def, each with its documentation; plus
 * `components['schemas']`, the same map openapi-typescript emits for the JSON providers.
 */
export function emitTypes(defs: Readonly<Record<string, JsonSchema>>): string {
  const parts: string[] = [];
  for (const [name, schema] of Object.entries(defs)) {
    const at = `#/$defs/${name}`;
    const doc = docComment(schema, '');
    if (schema['type'] === 'object' && schema['$ref'] === undefined) {
      schemaToType(schema, at);
      parts.push(`${doc}export interface ${name} {\n${objectMembers(schema, at, '  ')}}\n`);
    } else {
      parts.push(`${doc}export type ${name} = ${schemaToType(schema, at)};\n`);
    }
  }
  parts.push(
    [
      '/** Every schema of the contract by name, as openapi-typescript lays them out for the JSON providers. */',
      'export interface components {',
      '  schemas: {',
      ...Object.keys(defs).map((name) => `    ${name}: ${name};`),
      '  };',
      '}',
      '',
    ].join('\n'),
  );
  return parts.join('\n');
}
