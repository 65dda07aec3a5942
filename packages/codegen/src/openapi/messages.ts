import type { JsonSchema, OpenApiDocument } from './load-spec.js';

const SCHEMA_REF = /^#\/components\/schemas\/([^/]+)$/;

/** A contract message after derivation: its name, its schema's name, and how it is signed. */
export interface Message {
  /** `refund.request`, `refund.request.unsigned`, ... */
  readonly name: string;
  /** Name of its schema among the package's `$defs`. */
  readonly schema: string;
  /** The property carrying the body-embedded signature, on a signed message. */
  readonly signatureField?: string;
  /** For `<name>.unsigned`: the signed message it is derived from, and the field removed. */
  readonly unsignedOf?: { readonly message: string; readonly field: string };
}

/**
 * The schema of a message without its signature field: the same schema with the property
 * dropped from `properties` and `required`, recursing into `oneOf`/`anyOf`/`allOf` branches that
 * are references. Closed schemas stay closed, so an unsigned payload that carries the signature
 * field is rejected.
 */
function withoutField(name: string, field: string, schemas: Record<string, JsonSchema>, derived: Record<string, JsonSchema>): string {
  const unsignedName = `${name}Unsigned`;
  if (unsignedName in derived || unsignedName in schemas) return unsignedName;
  const source = schemas[name];
  if (!source) throw new Error(`unknown schema ${name}`);
  const copy: JsonSchema = { ...source };
  let found = false;
  const properties = source['properties'] as Record<string, unknown> | undefined;
  if (properties && field in properties) {
    const { [field]: _removed, ...rest } = properties;
    copy['properties'] = rest;
    found = true;
  }
  if (Array.isArray(source['required'])) copy['required'] = (source['required'] as string[]).filter((f) => f !== field);
  for (const combinator of ['oneOf', 'anyOf', 'allOf']) {
    const branches = source[combinator];
    if (!Array.isArray(branches)) continue;
    copy[combinator] = branches.map((branch: JsonSchema) => {
      const ref = typeof branch['$ref'] === 'string' ? SCHEMA_REF.exec(branch['$ref']) : null;
      if (!ref?.[1]) return branch;
      found = true;
      return { ...branch, $ref: `#/components/schemas/${withoutField(ref[1], field, schemas, derived)}` };
    });
  }
  if (!found) throw new Error(`schema ${name} has no property ${field} to leave out of its unsigned form`);
  copy['description'] = `${String(source['description'] ?? name)} (unsigned: without \`${field}\`, as built before signing)`;
  derived[unsignedName] = copy;
  return unsignedName;
}

/**
 * Reads the root `x-refundkit-messages` map and derives, for each message with a
 * `signatureField`, the `<name>.unsigned` message. Returns the messages and the derived schemas.
 */
export function readMessages(doc: OpenApiDocument): { messages: Message[]; derivedSchemas: Record<string, JsonSchema> } {
  const declared = doc['x-refundkit-messages'];
  if (!declared || Object.keys(declared).length === 0) throw new Error('the spec declares no x-refundkit-messages');
  const schemas = doc.components?.schemas ?? {};
  const derivedSchemas: Record<string, JsonSchema> = {};
  const messages: Message[] = [];
  for (const [name, declaration] of Object.entries(declared)) {
    if (!/^[a-z][A-Za-z]*\.(request|response)$/.test(name)) throw new Error(`message name ${name} is not <operation>.<request|response>`);
    const ref = SCHEMA_REF.exec(declaration.schema);
    if (!ref?.[1] || !(ref[1] in schemas)) throw new Error(`message ${name}: ${declaration.schema} is not a schema of this spec`);
    const signatureField = declaration.signatureField;
    messages.push(signatureField ? { name, schema: ref[1], signatureField } : { name, schema: ref[1] });
    if (signatureField) {
      messages.push({
        name: `${name}.unsigned`,
        schema: withoutField(ref[1], signatureField, schemas, derivedSchemas),
        unsignedOf: { message: name, field: signatureField },
      });
    }
  }
  return { messages, derivedSchemas };
}
