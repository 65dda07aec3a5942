import type { JsonSchema } from './load-spec.js';

const COMPONENT_REF = '#/components/schemas/';

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    out[key] = key === '$ref' && typeof child === 'string' && child.startsWith(COMPONENT_REF) ? `#/$defs/${child.slice(COMPONENT_REF.length)}` : rewriteRefs(child);
  }
  return out;
}

/**
 * OpenAPI 3.1 `components.schemas` (JSON Schema 2020-12 dialect) as a plain `$defs` map, with
 * `#/components/schemas/X` references rewritten to `#/$defs/X`, so the schemas compile without
 * the rest of the OpenAPI document.
 */
export function componentsToDefs(schemas: Readonly<Record<string, JsonSchema>>): Record<string, unknown> {
  return rewriteRefs(schemas) as Record<string, unknown>;
}
