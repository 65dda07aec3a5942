import { dirname } from 'node:path';
import { generatedHeader } from '../emit/header.js';
import { importLines } from '../emit/imports.js';
import { INDEX_COMMON_EXPORTS, VALIDATE_MESSAGE_FUNCTION } from '../emit/index-module.js';
import { packageFiles } from '../emit/package-files.js';
import type { FileSet } from '../emit/write-files.js';
import { compileValidatorModule } from '../ajv/emit-validators.js';
import { emitJsonClient } from '../client/emit-json-client.js';
import { jsonStringFields } from '../client/json-string-fields.js';
import { clientOperations } from '../client/operations.js';
import { clientReadmeExample, documentedExample, hasSandboxReadmeExample } from '../client/readme-example.js';
import { schemeEmitters } from '../client/schemes/index.js';
import { emitTypes } from './emit-types.js';
import { componentsToDefs } from './json-schema-defs.js';
import { loadOpenApi, type OpenApiDocument } from './load-spec.js';
import { readMessages, type Message } from './messages.js';

/** Runtime dependencies of a generated JSON provider package, exact versions (plus ajv if its validators need it). */
export const GENERATED_DEPENDENCIES = {
  '@refundkit/runtime': '0.1.0',
  '@refundkit/signing': '0.1.0',
  'openapi-fetch': '0.17.0',
} as const;

/** The first server's URL with its variables at their defaults (`https://{domain}` → `https://vmp.eftpay.com.cn`). */
function defaultServerUrl(doc: OpenApiDocument): string | undefined {
  const server = doc.servers?.[0] as { url: string; variables?: Record<string, { default?: string }> } | undefined;
  return server?.url.replace(/\{(\w+)\}/g, (whole, name: string) => server.variables?.[name]?.default ?? whole);
}

/** `tipay` → `Tipay`, for `createTipayClient`. */
export function typeNameOf(provider: string): string {
  return `${provider[0]!.toUpperCase()}${provider.slice(1)}`;
}

/** The one signing scheme the spec declares (`x-refundkit-signing.scheme` under `securitySchemes`). */
function signingSchemeName(doc: OpenApiDocument): string {
  const names = new Set(Object.values(signingSchemes(doc)).map((s) => (s as { scheme?: unknown }).scheme));
  if (names.size !== 1) throw new Error(`the spec must declare exactly one x-refundkit-signing scheme, found ${[...names].join(', ') || 'none'}`);
  const [name] = names;
  if (typeof name !== 'string' || !(name in schemeEmitters)) throw new Error(`unknown signing scheme ${String(name)}; known: ${Object.keys(schemeEmitters).join(', ')}`);
  return name;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** `operationId` → method and path, read from `paths` (the typed client's routing table). */
function operationRoutes(doc: OpenApiDocument): Record<string, { method: string; path: string }> {
  const routes: Record<string, { method: string; path: string }> = {};
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const operation = (item as Record<string, { operationId?: string } | undefined>)[method];
      if (operation?.operationId) routes[operation.operationId] = { method: method.toUpperCase(), path };
    }
  }
  return routes;
}

function signingSchemes(doc: OpenApiDocument): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, scheme] of Object.entries(doc.components?.securitySchemes ?? {})) {
    if (scheme['x-refundkit-signing'] !== undefined) out[name] = scheme['x-refundkit-signing'];
  }
  return out;
}

function messagesModule(header: string, messages: readonly Message[]): string {
  const lines = messages.map((m) => {
    const base = `Schemas[${JSON.stringify(m.unsignedOf ? messages.find((s) => s.name === m.unsignedOf?.message)?.schema : m.schema)}]`;
    const type = m.unsignedOf ? `WithoutField<${base}, ${JSON.stringify(m.unsignedOf.field)}>` : base;
    return `  ${JSON.stringify(m.name)}: ${type};`;
  });
  return [
    header,
    "import type { components } from './types.js';",
    '',
    "type Schemas = components['schemas'];",
    '/** `Omit` that distributes over unions, so each `oneOf` branch loses the field. */',
    'type WithoutField<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;',
    '',
    '/** Every message of the contract (`x-refundkit-messages`), by name, with its TypeScript type. */',
    'export interface Messages {',
    ...lines,
    '}',
    '',
    'export type MessageName = keyof Messages;',
    '',
    `export const messageNames = ${JSON.stringify(messages.map((m) => m.name))} as const satisfies readonly MessageName[];`,
    '',
  ].join('\n');
}

function validatorsModule(header: string, code: string, exportNames: Record<string, string>): string {
  return [
    header,
    '// @ts-nocheck -- ajv standalone output; the typed table at the end is the module\'s interface.',
    "import type { CompiledValidator } from '@refundkit/runtime';",
    "import type { Messages } from './messages.js';",
    code,
    '/** A precompiled validator per message (ajv standalone, `allErrors`): no schema is compiled at run time. */',
    'export const validators: { readonly [K in keyof Messages]: CompiledValidator<Messages[K]> } = {',
    ...Object.entries(exportNames).map(([message, local]) => `  ${JSON.stringify(message)}: ${local},`),
    '};',
    '',
  ].join('\n');
}

function contractModule(header: string, provider: string, specFile: string, doc: OpenApiDocument, messages: readonly Message[]): string {
  const contract = {
    provider,
    format: 'json',
    spec: specFile,
    title: doc.info.title,
    version: doc.info.version,
    servers: (doc.servers ?? []).map((s) => s.url),
    operations: operationRoutes(doc),
    signing: signingSchemes(doc),
    messages: Object.fromEntries(messages.map((m) => [m.name, { schema: m.schema, ...(m.signatureField ? { signatureField: m.signatureField } : {}) }])),
  };
  return [
    header,
    '/** What the spec says about routing, signing and messages, for clients and tools. */',
    `export const contract = ${JSON.stringify(contract, null, 2)} as const;`,
    '',
  ].join('\n');
}

const INDEX = (header: string): string =>
  [
    header,
    "import { assertValid } from '@refundkit/runtime';",
    "import type { MessageName, Messages } from './messages.js';",
    "import { validators } from './validators.js';",
    '',
    ...INDEX_COMMON_EXPORTS,
    "export * from './client.js';",
    '',
    ...VALIDATE_MESSAGE_FUNCTION,
    '',
  ].join('\n');

/**
 * Generates `@refundkit/<provider>` from `specs/<provider>/openapi.yaml`: openapi-typescript
 * types, precompiled ajv validators for every message (and the derived unsigned payloads), the
 * contract table, and the package scaffolding.
 */
export async function generateOpenApiPackage(provider: string, specPath: string, specFile: string): Promise<FileSet> {
  const doc = loadOpenApi(specPath);
  const { messages, derivedSchemas } = readMessages(doc);
  const defs = componentsToDefs({ ...(doc.components?.schemas ?? {}), ...derivedSchemas });
  const { code, exportNames, runtimeDependencies } = compileValidatorModule({
    id: `https://refundkit.dev/specs/${provider}`,
    defs,
    messages: Object.fromEntries(messages.map((m) => [m.name, m.schema])),
  });
  const header = (part: string): string => generatedHeader([specFile], part);
  const schemeName = signingSchemeName(doc);
  const scheme = schemeEmitters[schemeName]!;
  const { operations, notification } = clientOperations(doc, messages);
  const schemas = doc.components?.schemas ?? {};
  const jsonFields = Object.fromEntries(operations.map((op) => [op.responseMessage, jsonStringFields(schemas, messages.find((m) => m.name === op.responseMessage)!.schema)]));
  const client = emitJsonClient(header('client'), {
    provider,
    typeName: typeNameOf(provider),
    title: doc.info.title,
    ...(defaultServerUrl(doc) ? { defaultServer: defaultServerUrl(doc)! } : {}),
    scheme,
    schemeName,
    operations,
    ...(notification ? { notification } : {}),
    jsonFields,
  });
  const refundOp = operations.find((op) => op.name === 'refund');
  const example = refundOp ? documentedExample(dirname(specPath), refundOp.requestMessage) : undefined;
  const exampleInput = example
    ? (scheme.readmeInput ?? ((v) => v))(Object.fromEntries(Object.entries(example).filter(([k]) => k !== refundOp?.signatureField)))
    : {};
  const clientExample = clientReadmeExample({
    provider,
    typeName: typeNameOf(provider),
    baseUrl: defaultServerUrl(doc) ?? 'http://127.0.0.1:4010',
    imports: importLines(scheme.readmeImports),
    optionLines: scheme.readmeOptions,
    input: JSON.stringify(exampleInput, null, 2).replace(/\n/g, '\n'),
    sandboxExample: example !== undefined && hasSandboxReadmeExample(dirname(specPath)),
  });
  const readme = [
    clientExample,
    '## Messages',
    '',
    '| message | schema | signature field |',
    '|---|---|---|',
    ...messages.map((m) => `| \`${m.name}\` | \`${m.schema}\` | ${m.signatureField ? `\`${m.signatureField}\`` : ''} |`),
    '',
    '```ts',
    `import { validateMessage } from '@refundkit/${provider}';`,
    '',
    'declare const input: unknown; // a message as received or built, e.g. parsed JSON',
    `const body = validateMessage(${JSON.stringify(messages[0]?.name)}, input); // typed, or a ValidationError naming each field`,
    '```',
    '',
  ].join('\n');
  return {
    ...packageFiles({
      provider,
      description: `${doc.info.title}: a typed client, types and precompiled validators generated from its refundkit contract`,
      specFiles: [specFile],
      dependencies: { ...GENERATED_DEPENDENCIES, ...runtimeDependencies },
      readme,
    }),
    'src/types.ts': `${header('openapi-typescript')}${await emitTypes(specPath)}`,
    'src/messages.ts': messagesModule(header('messages'), messages),
    'src/validators.ts': validatorsModule(header('ajv standalone'), code, exportNames),
    'src/contract.ts': contractModule(header('contract'), provider, specFile, doc, messages),
    'src/client.ts': client,
    'src/index.ts': INDEX(header('index')),
  };
}
