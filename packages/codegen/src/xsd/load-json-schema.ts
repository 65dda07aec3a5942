import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_BYTES_KEYWORD, type MaxBytes } from '../ajv/emit-validators.js';

/** A JSON Schema 2020-12 object. */
export type JsonSchema = { [key: string]: unknown };

const DIALECT = 'https://json-schema.org/draft/2020-12/schema';
const TYPE_NAME = /^[A-Z][A-Za-z0-9]*$/;

function checkRefs(value: unknown, file: string, defs: ReadonlySet<string>, at: string): void {
  if (Array.isArray(value)) value.forEach((item, i) => checkRefs(item, file, defs, `${at}/${i}`));
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref') {
        const target = typeof child === 'string' ? /^#\/\$defs\/([^/]+)$/.exec(child)?.[1] : undefined;
        if (!target || !defs.has(target)) throw new Error(`${file}: ${at}: $ref ${JSON.stringify(child)} must point at one of this file's $defs`);
      } else if (key === '$id' || key === '$anchor' || key === '$dynamicRef' || key === '$dynamicAnchor') {
        throw new Error(`${file}: ${at}: ${key} is not supported inside the schema`);
      } else {
        checkRefs(child, file, defs, `${at}/${key}`);
      }
    }
  }
}

/** The root keyword that says what the file's `maxLength`s count, as `refundkit:string-length` does for the XSDs. */
const STRING_LENGTH_KEYWORD = 'x-refundkit-string-length';

/** Every `maxLength` of the schema as `maxBytes` in `encoding` (a copy). */
function maxLengthsAsBytes(value: unknown, encoding: string): unknown {
  if (Array.isArray(value)) return value.map((item) => maxLengthsAsBytes(item, encoding));
  if (value === null || typeof value !== 'object') return value;
  const out: JsonSchema = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === 'maxLength' && typeof child === 'number') out[MAX_BYTES_KEYWORD] = { limit: child, encoding } satisfies MaxBytes;
    else out[key] = key === 'examples' || key === 'const' || key === 'enum' ? child : maxLengthsAsBytes(child, encoding);
  }
  return out;
}

/**
 * Loads a JSON Schema 2020-12 file that a `<refundkit:json schema="..."/>` element points at
 * (`goods_detail.schema.json`) and returns it as `$defs` entries for the package's schema
 * document: the root under its `title` (a TypeScript type name, e.g. `GoodsDetail`), and each of
 * its own `$defs` under its name. `$schema`/`$id` are dropped (the package document has its
 * own id); references must be local `#/$defs/<name>`, which stay valid once hoisted.
 *
 * A root `"x-refundkit-string-length": "encoded-bytes"` says the file's `maxLength`s are
 * `String(N)` limits in bytes of the wire `encoding` (the XSD contract's): each becomes `maxBytes`.
 * `"characters"` (the default) keeps them.
 */
export function loadJsonSchemaFile(specDir: string, file: string, encoding: string): { name: string; defs: Record<string, JsonSchema> } {
  let schema: JsonSchema;
  try {
    schema = JSON.parse(readFileSync(join(specDir, file), 'utf8')) as JsonSchema;
  } catch (error) {
    throw new Error(`${file}: not a JSON file: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) throw new Error(`${file}: a JSON Schema must be an object`);
  if (schema['$schema'] !== DIALECT) throw new Error(`${file}: $schema must be ${DIALECT}`);
  const name = schema['title'];
  if (typeof name !== 'string' || !TYPE_NAME.test(name)) throw new Error(`${file}: title must be the TypeScript type name (PascalCase), e.g. "GoodsDetail"`);
  const { $schema: _dialect, $id: _id, $defs, [STRING_LENGTH_KEYWORD]: unit = 'characters', ...root } = schema;
  if (unit !== 'characters' && unit !== 'encoded-bytes') throw new Error(`${file}: ${STRING_LENGTH_KEYWORD} must be "characters" or "encoded-bytes", not ${JSON.stringify(unit)}`);
  const own = ($defs ?? {}) as Record<string, JsonSchema>;
  for (const key of Object.keys(own)) {
    if (!TYPE_NAME.test(key)) throw new Error(`${file}: $defs/${key}: names must be TypeScript type names (PascalCase)`);
  }
  if (name in own) throw new Error(`${file}: title ${name} is also one of its $defs`);
  const stated: Record<string, JsonSchema> = { [name]: root, ...own };
  checkRefs(stated, file, new Set(Object.keys(own)), '#');
  const defs = unit === 'encoded-bytes' ? (maxLengthsAsBytes(stated, encoding) as Record<string, JsonSchema>) : stated;
  return { name, defs };
}
