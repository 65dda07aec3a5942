import { MAX_BYTES_KEYWORD, type MaxBytes } from '../ajv/emit-validators.js';
import type { JsonSchema } from './load-json-schema.js';
import type { Annotation, ComplexType, ElementDecl, Note, SimpleType, StringLengthUnit, XsdContract } from './xsd-model.js';

/** How the contract counts `String(N)` (`refundkit:string-length`) and in which wire encoding. */
export interface LengthRule {
  readonly unit: StringLengthUnit;
  readonly encoding: string;
}

const CHARACTERS: LengthRule = { unit: 'characters', encoding: 'UTF-8' };

/** A string maximum as the contract counts it: `maxLength` (characters) or `maxBytes` (encoded bytes). */
export function maxLengthKeyword(limit: number, lengths: LengthRule, json = false): JsonSchema {
  if (lengths.unit === 'characters') return { maxLength: limit };
  const rule: MaxBytes = { limit, encoding: lengths.encoding, ...(json ? { json: true } : {}) };
  return { [MAX_BYTES_KEYWORD]: rule };
}

/** `xs:documentation` texts, one per line, in document order (Chinese from the seed, then English). */
function description(annotation: Annotation, extra: readonly string[] = []): string | undefined {
  const lines = [...annotation.documentation.map((d) => d.text).filter((t) => t !== ''), ...extra];
  return lines.length > 0 ? lines.join('\n') : undefined;
}

/** `refundkit:assumption` / `refundkit:correction` notes as the `x-refundkit-*` keywords the OpenAPI specs use. */
function noteKeywords(notes: readonly Note[]): JsonSchema {
  const out: JsonSchema = {};
  for (const kind of ['assumption', 'correction'] as const) {
    const texts = notes.filter((n) => n.kind === kind).map((n) => n.text);
    if (texts.length > 0) out[`x-refundkit-${kind}`] = texts.join('\n');
  }
  return out;
}

/**
 * `xs:simpleType` (its merged `xs:restriction` facets) as JSON Schema: `xs:string` → `type:
 * string` with `minLength` (characters, as ajv counts them) and `maxLength` (characters) or
 * `maxBytes` (the wire encoding's bytes, when the contract counts `String(N)` so), `pattern` (one step) or
 * `allOf` of patterns (several restriction steps, all must match), `enum`; the integer built-ins →
 * `type: integer` with `minimum`/`maximum` from `minInclusive`/`maxInclusive`, the built-in's
 * lower bound and `totalDigits` (n digits: at most 10^n - 1). `fixed` becomes `const`.
 */
export function simpleTypeSchema(type: SimpleType, fixed?: string, lengths: LengthRule = CHARACTERS): JsonSchema {
  const f = type.facets;
  if (type.builtin === 'string') {
    let schema: JsonSchema = { type: 'string' };
    if (f.minLength !== undefined) schema['minLength'] = f.minLength;
    if (f.maxLength !== undefined) schema = { ...schema, ...maxLengthKeyword(f.maxLength, lengths) };
    const steps = f.patterns.map((alternatives) => (alternatives.length === 1 ? (alternatives[0] as string) : alternatives.map((a) => `(?:${a})`).join('|')));
    if (steps.length === 1) schema['pattern'] = steps[0];
    else if (steps.length > 1) schema['allOf'] = steps.map((pattern) => ({ pattern }));
    if (f.enumeration) schema['enum'] = f.enumeration.map((e) => e.value);
    if (fixed !== undefined) schema['const'] = fixed;
    return schema;
  }
  const schema: JsonSchema = { type: 'integer' };
  const digitsLimit = f.totalDigits !== undefined ? 10 ** f.totalDigits - 1 : undefined;
  const minimum = [f.minInclusive, digitsLimit !== undefined ? -digitsLimit : undefined].filter((v): v is number => v !== undefined);
  const maximum = [f.maxInclusive, digitsLimit].filter((v): v is number => v !== undefined);
  if (minimum.length > 0) schema['minimum'] = Math.max(...minimum);
  if (maximum.length > 0) schema['maximum'] = Math.min(...maximum);
  if (f.patterns.length > 0) throw new Error(`xs:pattern on the integer type ${type.name ?? '(anonymous)'} is not supported: the typed message holds a number`);
  if (f.enumeration) schema['enum'] = f.enumeration.map((e) => Number(e.value));
  if (fixed !== undefined) schema['const'] = Number(fixed);
  return schema;
}

/** Documentation of an `xs:enumeration`'s values, as a description line. */
function enumerationLine(type: SimpleType): string[] {
  const values = type.facets.enumeration ?? [];
  if (!values.some((v) => v.annotation.documentation.length > 0)) return [];
  return [`Values: ${values.map((v) => `${v.value}${v.annotation.documentation.length > 0 ? ` (${v.annotation.documentation.map((d) => d.text).join(' / ')})` : ''}`).join(', ')}.`];
}

/**
 * A local `xs:element` as a property schema: its simple type's schema, a `$ref` to its complex
 * type, or, for a `refundkit:json` element, a `$ref` to the JSON payload's schema (the typed
 * message holds the parsed JSON). `maxOccurs` above 1 makes an array (`minItems`/`maxItems` from
 * the occurrences). Descriptions come from `xs:documentation`, notes from `xs:appinfo`.
 */
export function elementSchema(element: ElementDecl, jsonTypes: ReadonlyMap<string, string>, lengths: LengthRule = CHARACTERS): JsonSchema {
  let schema: JsonSchema;
  const notes: Note[] = [...element.annotation.notes];
  if (element.json !== undefined) {
    const target = jsonTypes.get(element.json);
    if (!target) throw new Error(`element ${element.name}: no JSON schema loaded for ${element.json}`);
    schema = { $ref: `#/$defs/${target}` };
    // Counted in bytes, the element's String(N) holds for its JSON text: the validator measures
    // the compact JSON the codec writes (the codec itself checks characters).
    const maxLength = element.type.kind === 'simple' ? element.type.facets.maxLength : undefined;
    if (maxLength !== undefined && lengths.unit === 'encoded-bytes') schema = { ...schema, ...maxLengthKeyword(maxLength, lengths, true) };
  } else if (element.type.kind === 'complex') {
    schema = { $ref: `#/$defs/${element.type.name}` };
  } else {
    schema = simpleTypeSchema(element.type, element.fixed, lengths);
    notes.push(...element.type.notes);
  }
  const text = description(element.annotation, element.type.kind === 'simple' ? enumerationLine(element.type) : []);
  const annotate = (s: JsonSchema): JsonSchema => ({ ...(text !== undefined ? { description: text } : {}), ...noteKeywords(notes), ...s });
  if (element.maxOccurs === 1) return annotate(schema);
  return annotate({
    type: 'array',
    items: schema,
    ...(element.minOccurs > 0 ? { minItems: element.minOccurs } : {}),
    ...(element.maxOccurs !== 'unbounded' ? { maxItems: element.maxOccurs } : {}),
  });
}

/**
 * A named `xs:complexType` as an object schema: one property per element of its sequence,
 * `required` for `minOccurs` ≥ 1, and `additionalProperties: false` unless the type has open
 * content (`refundkit:open="true"`): requests are closed, responses open.
 */
export function complexTypeSchema(type: ComplexType, jsonTypes: ReadonlyMap<string, string>, lengths: LengthRule = CHARACTERS): JsonSchema {
  const text = description(type.annotation);
  const required = type.elements.filter((e) => e.minOccurs > 0).map((e) => e.name);
  return {
    ...(text !== undefined ? { description: text } : {}),
    ...noteKeywords(type.annotation.notes),
    type: 'object',
    properties: Object.fromEntries(type.elements.map((e) => [e.name, elementSchema(e, jsonTypes, lengths)])),
    ...(required.length > 0 ? { required } : {}),
    ...(type.open ? {} : { additionalProperties: false }),
  };
}

/**
 * The `$defs` of the package's schema document: every complex type of the contract (the decoded
 * message shapes; the root element's type is the message schema), plus the JSON payload schemas.
 * A message schema also carries its file's schema-level documentation and notes.
 */
export function contractToDefs(contract: XsdContract, json: ReadonlyMap<string, { name: string; defs: Record<string, JsonSchema> }>): Record<string, JsonSchema> {
  const jsonTypes = new Map([...json].map(([file, loaded]) => [file, loaded.name]));
  const defs: Record<string, JsonSchema> = {};
  const lengths: LengthRule = { unit: contract.settings.stringLength, encoding: contract.settings.encoding };
  const tolerantLengths: LengthRule = { unit: contract.settings.tolerantStringLength, encoding: contract.settings.encoding };
  for (const type of contract.complexTypes) defs[type.name] = complexTypeSchema(type, jsonTypes, type.open ? tolerantLengths : lengths);
  for (const message of contract.messages) {
    const own = defs[message.root.type.name] as JsonSchema;
    const fileNotes = noteKeywords(message.annotation.notes);
    const fileText = description(message.annotation);
    defs[message.root.type.name] = {
      ...own,
      ...(fileText !== undefined ? { description: [fileText, own['description']].filter((t) => t !== undefined).join('\n') } : {}),
      ...Object.fromEntries(Object.entries(fileNotes).map(([k, v]) => [k, [v, own[k]].filter((t) => t !== undefined).join('\n')])),
    };
  }
  for (const [file, loaded] of json) {
    for (const [name, schema] of Object.entries(loaded.defs)) {
      if (name in defs) throw new Error(`${file}: $defs name ${name} is also a complexType of the XSDs`);
      defs[name] = schema;
    }
  }
  return defs;
}
