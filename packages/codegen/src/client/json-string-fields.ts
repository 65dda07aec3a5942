import type { JsonSchema } from '../openapi/load-spec.js';

/** A string property holding JSON text, and the money fields inside it. */
export interface JsonStringField {
  /** Dotted path from the message root, e.g. `data.refundAccountDetail`. */
  readonly path: string;
  /** Property name → decimals, from `x-refundkit-money-decimals` in its `x-refundkit-json-schema`. */
  readonly moneyFields: Readonly<Record<string, number>>;
}

const REF = /^#\/components\/schemas\/([^/]+)$/;

function moneyFieldsOf(schema: unknown, into: Record<string, number> = {}): Record<string, number> {
  if (Array.isArray(schema)) schema.forEach((s) => moneyFieldsOf(s, into));
  else if (schema && typeof schema === 'object') {
    const properties = (schema as JsonSchema)['properties'];
    if (properties && typeof properties === 'object') {
      for (const [name, property] of Object.entries(properties as Record<string, JsonSchema>)) {
        const decimals = property['x-refundkit-money-decimals'];
        if (typeof decimals === 'number') into[name] = decimals;
      }
    }
    Object.values(schema).forEach((child) => moneyFieldsOf(child, into));
  }
  return into;
}

/**
 * Finds the string properties marked `contentMediaType: application/json` (JSON Schema
 * 2020-12 §8.4) in a message schema, following `$ref` and `allOf`/`oneOf`/`anyOf`, so the client
 * can parse them exactly.
 */
export function jsonStringFields(schemas: Readonly<Record<string, JsonSchema>>, root: string): JsonStringField[] {
  const found = new Map<string, JsonStringField>();
  const visit = (schema: JsonSchema | undefined, path: string[], seen: ReadonlySet<string>): void => {
    if (!schema) return;
    const ref = typeof schema['$ref'] === 'string' ? REF.exec(schema['$ref'])?.[1] : undefined;
    if (ref) {
      if (!seen.has(ref)) visit(schemas[ref], path, new Set([...seen, ref]));
      return;
    }
    if (schema['contentMediaType'] === 'application/json' && path.length > 0) {
      found.set(path.join('.'), { path: path.join('.'), moneyFields: moneyFieldsOf(schema['x-refundkit-json-schema']) });
    }
    for (const combinator of ['allOf', 'oneOf', 'anyOf']) {
      const branches = schema[combinator];
      if (Array.isArray(branches)) branches.forEach((b: JsonSchema) => visit(b, path, seen));
    }
    const properties = schema['properties'];
    if (properties && typeof properties === 'object') {
      for (const [name, child] of Object.entries(properties as Record<string, JsonSchema>)) visit(child, [...path, name], seen);
    }
  };
  visit(schemas[root], [], new Set([root]));
  return [...found.values()];
}
