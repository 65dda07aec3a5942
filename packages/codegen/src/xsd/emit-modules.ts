import { INDEX_COMMON_EXPORTS, VALIDATE_MESSAGE_FUNCTION } from '../emit/index-module.js';
import { messageFunctionSuffix } from './emit-codec.js';
import type { XsdContract } from './xsd-model.js';

/** `src/messages.ts`: the same exports as the OpenAPI packages (`Messages`, `MessageName`, `messageNames`). */
export function emitMessages(header: string, contract: XsdContract): string {
  return [
    header,
    "import type { components } from './types.js';",
    '',
    "type Schemas = components['schemas'];",
    '',
    '/** Every message of the contract (one XSD each), by name, with its TypeScript type. */',
    'export interface Messages {',
    ...contract.messages.map((m) => `  ${JSON.stringify(m.name)}: Schemas[${JSON.stringify(m.root.type.name)}];`),
    '}',
    '',
    'export type MessageName = keyof Messages;',
    '',
    `export const messageNames = ${JSON.stringify(contract.messages.map((m) => m.name))} as const satisfies readonly MessageName[];`,
    '',
  ].join('\n');
}

/** `src/validators.ts`: ajv standalone code and the typed `validators` table, as for the OpenAPI packages. */
export function emitValidators(header: string, code: string, exportNames: Readonly<Record<string, string>>): string {
  return [
    header,
    "// @ts-nocheck -- ajv standalone output; the typed table at the end is the module's interface.",
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

/**
 * `src/contract.ts`: what the XSDs say about the wire for clients and tools: format `xml`, the
 * encoding, how lengths count, the transport, and per message its schema, XSD, root element and
 * type element/value, and whether it is tolerant (open content).
 */
export function emitContract(header: string, provider: string, specRoot: string, specFiles: readonly string[], contract: XsdContract): string {
  const roots = [...new Set(contract.messages.map((m) => m.root.name))];
  const value = {
    provider,
    format: 'xml',
    encoding: contract.settings.encoding,
    stringLength: contract.settings.stringLength,
    tolerantStringLength: contract.settings.tolerantStringLength,
    ...(contract.settings.title !== undefined ? { title: contract.settings.title } : {}),
    ...(contract.settings.version !== undefined ? { version: contract.settings.version } : {}),
    specs: specFiles,
    rootElement: roots.length === 1 ? roots[0] : roots,
    ...(contract.settings.transport !== undefined ? { transport: contract.settings.transport } : {}),
    messages: Object.fromEntries(
      contract.messages.map((m) => [
        m.name,
        {
          schema: m.root.type.name,
          xsd: `${specRoot}/${m.file}`,
          rootElement: m.root.name,
          typeElement: m.typeElement,
          typeValue: m.typeValue,
          tolerant: m.root.type.open,
        },
      ]),
    ),
  };
  return [header, '/** What the XSDs say about the wire and the messages, for clients and tools. */', `export const contract = ${JSON.stringify(value, null, 2)} as const;`, ''].join('\n');
}

/**
 * `src/index.ts`: the OpenAPI packages' exports (types, `messageNames`, `validators`, `contract`,
 * `validateMessage`), the codec, and two conveniences: `readMessage` (decode + validate, with
 * undeclared elements of closed types as issues) and `writeMessage` (validate + encode).
 */
export function emitIndex(header: string, contract: XsdContract): string {
  const codecExports = contract.messages.flatMap((m) => [`encode${messageFunctionSuffix(m.name)}`, `decode${messageFunctionSuffix(m.name)}`]);
  return [
    header,
    "import { assertValid, schemaErrorsToIssues, ValidationError, type CompiledValidator, type ValidationIssue } from '@refundkit/runtime';",
    "import { decodeMessageAs, encodeMessage } from './codec.js';",
    "import type { MessageName, Messages } from './messages.js';",
    "import { validators } from './validators.js';",
    "import type { Decoded } from './xml-codec.js';",
    '',
    ...INDEX_COMMON_EXPORTS,
    `export { ${[...codecExports, 'encodeMessage', 'decodeMessage', 'decodeAnyMessage', 'decodeMessageAs', 'decodeMessageTextAs', 'descriptors', 'type DecodedMessage'].join(', ')} } from './codec.js';`,
    "export { canEncode, decodeText, type Decoded, type ElementDescriptor, type MessageDescriptor, type UnknownElement } from './xml-codec.js';",
    "export * from './client.js';",
    '',
    ...VALIDATE_MESSAGE_FUNCTION,
    '',
    '/**',
    ' * Decodes bytes as the named message and validates it: a `ValidationError` names every failing',
    ' * field, including elements a closed (request) type does not declare. Undeclared elements of',
    ' * tolerant (response) types never fail; they stay in `unknown`.',
    ' */',
    'export function readMessage<K extends MessageName>(name: K, bytes: Uint8Array): Decoded<Messages[K]> {',
    '  const decoded = decodeMessageAs(name, bytes);',
    '  const validator = validators[name] as CompiledValidator<unknown>;',
    '  const issues: ValidationIssue[] = validator(decoded.value) ? [] : schemaErrorsToIssues(validator.errors ?? []);',
    '  for (const element of decoded.unknown) {',
    '    if (element.allowed) continue;',
    '    issues.push(',
    "      element.reason === 'maxOccurs'",
    "        ? { path: element.path, rule: 'maxOccurs', message: `${element.path} occurs more often than the contract allows` }",
    "        : { path: element.path, rule: 'additionalProperties', message: `${element.path} is not a field of this message` },",
    '    );',
    '  }',
    '  if (issues.length > 0) throw new ValidationError(name, issues);',
    '  return decoded;',
    '}',
    '',
    '/** Validates a message (a `ValidationError` names every failing field) and writes it as wire bytes. */',
    'export function writeMessage<K extends MessageName>(name: K, value: Messages[K]): Uint8Array {',
    '  return encodeMessage(name, validateMessage(name, value));',
    '}',
    '',
  ].join('\n');
}
