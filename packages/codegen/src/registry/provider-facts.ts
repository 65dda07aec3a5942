import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { clientOperations } from '../client/operations.js';
import type { JsonSchema } from '../openapi/load-spec.js';
import { componentsToDefs } from '../openapi/json-schema-defs.js';
import { loadOpenApi } from '../openapi/load-spec.js';
import { readMessages } from '../openapi/messages.js';
import { loadJsonSchemaFile } from '../xsd/load-json-schema.js';
import { parseXsdContract } from '../xsd/parse-xsd.js';
import { contractToDefs } from '../xsd/xsd-to-json-schema.js';
import type { RefundAmountField } from '../xsd/xsd-model.js';

/** One operation's route. `path` is null where the document names none (yima: the merchant is given a full URL). */
export interface RouteFact {
  readonly method: string;
  readonly path: string | null;
}

/**
 * A spec's `allOf` of `if`/`then` rules keyed on one field (eftpay: `service` picks `paytype` and
 * `payment_type`): one row per rule, each field with the values the rule allows.
 */
export interface ChoiceTable {
  readonly key: string;
  readonly rows: readonly Readonly<Record<string, readonly string[]>>[];
}

/** What the provider registry says of one provider, read from its spec. */
export interface ProviderFacts {
  readonly key: string;
  readonly title: string;
  readonly format: 'json' | 'xml';
  /** Repo-relative spec files. */
  readonly specs: readonly string[];
  /** Currencies refunds may be in, the default first (`x-refundkit-currencies`, `refundkit:currencies`). */
  readonly currencies: readonly string[];
  /** Each operation the provider serves (refund, queryRefund, ...) and its route. */
  readonly operations: Readonly<Record<string, RouteFact>>;
  /** Every message name (`x-refundkit-messages`, or the XSD files). */
  readonly messages: readonly string[];
  /** The refund amount's field and the largest amount it carries, in minor units (null: no limit stated). */
  readonly refundAmount: RefundAmountField & { readonly max: number | null };
  /** The closed value lists (`enum`) of each request message's fields. */
  readonly enums: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
  /** Each request message's if/then tables (see {@link ChoiceTable}). */
  readonly choices: Readonly<Record<string, ChoiceTable>>;
}

type Defs = Readonly<Record<string, unknown>>;

/** Follows `#/$defs/X` references (and single-branch `allOf` wrappers) to the schema itself. */
function resolve(defs: Defs, schema: unknown): JsonSchema {
  let current = schema as JsonSchema;
  for (let depth = 0; depth < 32; depth++) {
    const ref = current['$ref'];
    if (typeof ref !== 'string') return current;
    const name = /^#\/\$defs\/(.+)$/.exec(ref)?.[1];
    if (!name || !(name in defs)) throw new Error(`cannot resolve ${ref}`);
    current = { ...(defs[name] as JsonSchema), ...Object.fromEntries(Object.entries(current).filter(([k]) => k !== '$ref')) };
  }
  throw new Error('reference cycle');
}

/** The schema of a (dotted) field path of a message schema, following references. */
function fieldSchema(defs: Defs, root: string, path: string): JsonSchema {
  let schema = resolve(defs, { $ref: `#/$defs/${root}` });
  for (const part of path.split('.')) {
    const properties = schema['properties'] as Record<string, unknown> | undefined;
    if (!properties || !(part in properties)) throw new Error(`${root} has no field ${path}`);
    schema = resolve(defs, properties[part]);
  }
  return schema;
}

/**
 * The largest refund the amount field carries, in minor units: an integer field of minor units
 * has it as `maximum`; a decimal string of major units with at most two decimals and `maxLength`
 * N holds at most N - 1 digits (one character is the point), so 10^(N-1) - 1 minor units
 * (eftpay String(8): 99999.99). Null when the schema states no limit.
 */
export function maxMinorUnits(schema: JsonSchema, unit: 'major' | 'minor'): number | null {
  const maximum = typeof schema['maximum'] === 'number' ? schema['maximum'] : undefined;
  if (unit === 'minor') return maximum ?? null;
  if (maximum !== undefined) return Math.round(maximum * 100);
  const maxLength = schema['maxLength'];
  if (typeof maxLength !== 'number') return null;
  const pattern = String(schema['pattern'] ?? '');
  if (!/\\d\{1,2\}|\\d\{2\}/.test(pattern)) throw new Error(`a major-unit amount with maxLength needs a pattern of at most two decimals, not ${pattern}`);
  return 10 ** (maxLength - 1) - 1;
}

/** Every top-level field of `schema` whose values are a closed `enum` of strings. */
function enumsOf(defs: Defs, schemaName: string): Record<string, string[]> {
  const schema = resolve(defs, { $ref: `#/$defs/${schemaName}` });
  const out: Record<string, string[]> = {};
  for (const [field, child] of Object.entries((schema['properties'] as Record<string, unknown> | undefined) ?? {})) {
    const values = resolve(defs, child)['enum'];
    if (Array.isArray(values) && values.every((v) => typeof v === 'string')) out[field] = values as string[];
  }
  return out;
}

/** The `allOf` of `if: { properties: { K: { const } } } then: { properties: {...} }` rules of a schema, if it has them. */
function choicesOf(defs: Defs, schemaName: string): ChoiceTable | undefined {
  const schema = resolve(defs, { $ref: `#/$defs/${schemaName}` });
  const rules = (schema['allOf'] as JsonSchema[] | undefined)?.filter((r) => r['if'] && r['then']) ?? [];
  if (rules.length === 0) return undefined;
  const valuesOf = (s: JsonSchema): string[] => (s['const'] !== undefined ? [String(s['const'])] : ((s['enum'] as unknown[] | undefined) ?? []).map(String));
  let key: string | undefined;
  const rows = rules.map((rule) => {
    const when = Object.entries(((rule['if'] as JsonSchema)['properties'] as Record<string, JsonSchema> | undefined) ?? {});
    if (when.length !== 1) throw new Error(`${schemaName}: an if/then rule must test one field`);
    const [field, test] = when[0]!;
    if (key !== undefined && key !== field) throw new Error(`${schemaName}: if/then rules test ${key} and ${field}; one key per table`);
    key = field;
    const then = ((rule['then'] as JsonSchema)['properties'] as Record<string, JsonSchema> | undefined) ?? {};
    return { [field]: valuesOf(test), ...Object.fromEntries(Object.entries(then).map(([f, s]) => [f, valuesOf(s)])) };
  });
  return { key: key!, rows };
}

/** Request messages (`<op>.request`, not the derived `.unsigned`) and their schema names. */
function requestSchemas(messages: readonly { name: string; schema: string }[]): [string, string][] {
  return messages.filter((m) => m.name.endsWith('.request')).map((m) => [m.name, m.schema]);
}

function refundAmountOf(defs: Defs, messages: readonly { name: string; schema: string }[], declared: RefundAmountField | undefined, where: string): ProviderFacts['refundAmount'] {
  if (!declared) throw new Error(`${where}: the refund amount field is not declared (x-refundkit-refund-amount / refundkit:refund-amount)`);
  const message = messages.find((m) => m.name === declared.message);
  if (!message) throw new Error(`${where}: refund amount message ${declared.message} is not a message of the contract`);
  return { ...declared, max: maxMinorUnits(fieldSchema(defs, message.schema, declared.field), declared.unit) };
}

function currenciesOf(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((c) => typeof c === 'string' && /^[A-Z]{3}$/.test(c))) {
    throw new Error(`${where}: x-refundkit-currencies must list ISO 4217 codes, the default first`);
  }
  return value as string[];
}

function openApiFacts(key: string, specPath: string, specFile: string): ProviderFacts {
  const doc = loadOpenApi(specPath);
  const { messages, derivedSchemas } = readMessages(doc);
  const defs = componentsToDefs({ ...(doc.components?.schemas ?? {}), ...derivedSchemas });
  const { operations } = clientOperations(doc, messages);
  const requests = requestSchemas(messages);
  const declared = doc['x-refundkit-refund-amount'] as RefundAmountField | undefined;
  return {
    key,
    title: doc.info.title,
    format: 'json',
    specs: [specFile],
    currencies: currenciesOf(doc.info['x-refundkit-currencies'], specFile),
    operations: Object.fromEntries(operations.map((op) => [op.name, { method: op.method, path: op.path }])),
    messages: messages.map((m) => m.name),
    refundAmount: refundAmountOf(defs, messages, declared && { message: declared.message, field: declared.field, unit: declared.unit }, specFile),
    enums: Object.fromEntries(requests.map(([name, schema]) => [name, enumsOf(defs, schema)])),
    choices: Object.fromEntries(requests.flatMap(([name, schema]) => (choicesOf(defs, schema) ? [[name, choicesOf(defs, schema)!]] : []))),
  };
}

function xsdFacts(key: string, specDir: string, specRoot: string): ProviderFacts {
  const contract = parseXsdContract(specDir);
  const json = new Map(contract.jsonSchemaFiles.map((file) => [file, loadJsonSchemaFile(specDir, file, contract.settings.encoding)]));
  const defs = contractToDefs(contract, json);
  const messages = contract.messages.map((m) => ({ name: m.name, schema: m.root.type.name }));
  const names = new Set(messages.map((m) => m.name));
  const method = contract.settings.transport?.method ?? 'POST';
  const operations = messages
    .filter((m) => m.name.endsWith('.request') && names.has(m.name.replace(/\.request$/, '.response')))
    .map((m) => [m.name.replace(/\.request$/, ''), { method, path: null }] as const);
  const requests = requestSchemas(messages);
  return {
    key,
    title: contract.settings.title ?? key,
    format: 'xml',
    specs: [...contract.xsdFiles, ...contract.jsonSchemaFiles].sort().map((f) => `${specRoot}/${f}`),
    currencies: currenciesOf(contract.settings.currencies, specRoot),
    operations: Object.fromEntries(operations),
    messages: messages.map((m) => m.name),
    refundAmount: refundAmountOf(defs, messages, contract.settings.refundAmount, specRoot),
    enums: Object.fromEntries(requests.map(([name, schema]) => [name, enumsOf(defs, schema)])),
    choices: Object.fromEntries(requests.flatMap(([name, schema]) => (choicesOf(defs, schema) ? [[name, choicesOf(defs, schema)!]] : []))),
  };
}

/** The facts of `specs/<key>/`: an OpenAPI contract or a folder of XSDs. */
export function providerFacts(root: string, key: string): ProviderFacts {
  const specDir = join(root, 'specs', key);
  if (existsSync(join(specDir, 'openapi.yaml'))) return openApiFacts(key, join(specDir, 'openapi.yaml'), `specs/${key}/openapi.yaml`);
  if (readdirSync(specDir).some((f) => f.endsWith('.xsd'))) return xsdFacts(key, specDir, `specs/${key}`);
  throw new Error(`specs/${key} has neither openapi.yaml nor *.xsd`);
}

/** Every provider: one folder of `specs/` each, sorted by key. */
export function providerKeys(root: string): string[] {
  return readdirSync(join(root, 'specs'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}
