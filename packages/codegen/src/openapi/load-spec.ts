import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** The parts of an OpenAPI 3.1 document the generator reads; the rest passes through untouched. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; [key: string]: unknown };
  servers?: { url: string; description?: string }[];
  paths?: Record<string, unknown>;
  webhooks?: Record<string, unknown>;
  components?: {
    schemas?: Record<string, JsonSchema>;
    securitySchemes?: Record<string, { [key: string]: unknown }>;
    [key: string]: unknown;
  };
  'x-refundkit-messages'?: Record<string, MessageDeclaration>;
  [key: string]: unknown;
}

/** A JSON Schema 2020-12 object as OpenAPI 3.1 embeds it. */
export type JsonSchema = { [key: string]: unknown };

/** One entry of the root `x-refundkit-messages` map (see DEVELOPERS.md, "Spec conventions"). */
export interface MessageDeclaration {
  /** `#/components/schemas/<Name>` */
  schema: string;
  /** The property carrying a body-embedded signature (easypay `reqSign`, eftpay `sign`). */
  signatureField?: string;
}

/** Reads an OpenAPI YAML file; fails with the file name when it is not an OpenAPI 3.1 document. */
export function loadOpenApi(file: string): OpenApiDocument {
  const doc = parse(readFileSync(file, 'utf8')) as OpenApiDocument;
  if (typeof doc?.openapi !== 'string' || !doc.openapi.startsWith('3.1')) {
    throw new Error(`${file}: expected an OpenAPI 3.1 document`);
  }
  return doc;
}
