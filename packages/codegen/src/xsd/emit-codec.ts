import type { ElementDecl, MessageSchema, XsdContract } from './xsd-model.js';

/** The generated descriptor of one element (mirrors `ElementDescriptor` in the codec engine). */
interface ElementDescriptorData {
  name: string;
  kind: 'text' | 'integer' | 'json' | 'complex';
  minOccurs: number;
  maxOccurs: number | 'unbounded';
  maxLength?: number;
  open?: boolean;
  children?: ElementDescriptorData[];
}

/**
 * An `xs:element` as codec data: its kind (from the simple type's built-in, `refundkit:json`, or
 * a complex type), `minOccurs`/`maxOccurs`, the wire length limit of a JSON element, and, for a
 * complex type, whether it has open content and its `xs:sequence` children in order.
 */
export function elementDescriptor(element: ElementDecl): ElementDescriptorData {
  const base = { name: element.name, minOccurs: element.minOccurs, maxOccurs: element.maxOccurs };
  if (element.type.kind === 'complex') {
    return { name: element.name, kind: 'complex', minOccurs: element.minOccurs, maxOccurs: element.maxOccurs, open: element.type.open, children: element.type.elements.map(elementDescriptor) };
  }
  if (element.json !== undefined) {
    const maxLength = element.type.facets.maxLength;
    return { name: base.name, kind: 'json', minOccurs: base.minOccurs, maxOccurs: base.maxOccurs, ...(maxLength !== undefined ? { maxLength } : {}) };
  }
  return { name: base.name, kind: element.type.builtin === 'string' ? 'text' : 'integer', minOccurs: base.minOccurs, maxOccurs: base.maxOccurs };
}

/** `refund.request` → `RefundRequest`, the suffix of `encodeRefundRequest` / `decodeRefundRequest`. */
export function messageFunctionSuffix(name: string): string {
  return name
    .split('.')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** A readable TypeScript literal: an object of plain values on one line, nested ones spread out. */
function literal(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => `${indent}  ${literal(item, `${indent}  `)},`).join('\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([key, item]) => [/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key), item] as const);
    if (entries.every(([, item]) => item === null || typeof item !== 'object')) {
      return `{ ${entries.map(([key, item]) => `${key}: ${JSON.stringify(item)}`).join(', ')} }`;
    }
    return `{\n${entries.map(([key, item]) => `${indent}  ${key}: ${literal(item, `${indent}  `)},`).join('\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

function messageDescriptor(message: MessageSchema, encoding: string): Record<string, unknown> {
  return {
    name: message.name,
    encoding,
    root: message.root.name,
    typeElement: message.typeElement,
    typeValue: message.typeValue,
    open: message.root.type.open,
    children: message.root.type.elements.map(elementDescriptor),
  };
}

/**
 * `src/codec.ts`: the per-message descriptors (data read from the XSDs) and the typed functions
 * over the generic engine of `src/xml-codec.ts`: `encode<Message>(value): Uint8Array`,
 * `decode<Message>(bytes): Decoded<Message>`, `encodeMessage(name, value)`,
 * `decodeMessageAs(name, bytes)`, `decodeMessageTextAs(name, text)`, and `decodeAnyMessage(bytes)` / `decodeMessage(bytes)`, which
 * tell the message by its root and type element (`request_type` / `response_type`).
 */
export function emitCodec(header: string, provider: string, contract: XsdContract): string {
  const descriptors = Object.fromEntries(contract.messages.map((m) => [m.name, messageDescriptor(m, contract.settings.encoding)]));
  const typeNames = [...new Set(contract.messages.map((m) => m.root.type.name))];
  const label = `${provider} message`;
  const perMessage = contract.messages.flatMap((m) => {
    const suffix = messageFunctionSuffix(m.name);
    const type = m.root.type.name;
    const key = JSON.stringify(m.name);
    return [
      `/** Writes a \`${m.name}\` (<${m.root.name}> with <${m.typeElement}>${m.typeValue}</${m.typeElement}>) as ${contract.settings.encoding} bytes. */`,
      `export function encode${suffix}(value: ${type}): Uint8Array {`,
      `  return encodeXml(descriptors[${key}], value);`,
      '}',
      '',
      `/** Reads ${contract.settings.encoding} bytes as a \`${m.name}\`: the value (not validated yet) and the unknown elements. */`,
      `export function decode${suffix}(bytes: Uint8Array): Decoded<${type}> {`,
      `  return decodeXml(descriptors[${key}], bytes) as Decoded<${type}>;`,
      '}',
      '',
    ];
  });
  return [
    header,
    "import { ValidationError } from '@refundkit/runtime';",
    "import { messageNames, type MessageName, type Messages } from './messages.js';",
    `import type { ${typeNames.join(', ')} } from './types.js';`,
    "import { decodeTree, decodeXml, decodeXmlText, encodeXml, messageTypeText, parseXml, type Decoded, type MessageDescriptor } from './xml-codec.js';",
    '',
    '/** How each message sits on the wire, read from its XSD: root, type element, elements in order. */',
    `export const descriptors: { readonly [K in MessageName]: MessageDescriptor } = ${literal(descriptors)};`,
    '',
    ...perMessage,
    '/** Writes any message by name (see the encode<Message> functions). */',
    'export function encodeMessage<K extends MessageName>(name: K, value: Messages[K]): Uint8Array {',
    '  return encodeXml(descriptors[name], value);',
    '}',
    '',
    '/** Reads bytes as the named message; a document of another message is a ValidationError (rule xml). */',
    'export function decodeMessageAs<K extends MessageName>(name: K, bytes: Uint8Array): Decoded<Messages[K]> {',
    '  return decodeXml(descriptors[name], bytes) as Decoded<Messages[K]>;',
    '}',
    '',
    '/** {@link decodeMessageAs} of a document already decoded to text (by `decodeText`), so it is decoded once. */',
    'export function decodeMessageTextAs<K extends MessageName>(name: K, text: string): Decoded<Messages[K]> {',
    '  return decodeXmlText(descriptors[name], text) as Decoded<Messages[K]>;',
    '}',
    '',
    '/** A decoded message of any kind, discriminated by `name`. */',
    'export type DecodedMessage = { [K in MessageName]: { readonly name: K } & Decoded<Messages[K]> }[MessageName];',
    '',
    '/**',
    ' * Reads bytes as whichever message they hold, told apart by the root element and the type',
    ` * element's value: its name, value and unknown elements. A document that is none of the messages`,
    ' * is a ValidationError (rule xml).',
    ' */',
    'export function decodeAnyMessage(bytes: Uint8Array): DecodedMessage {',
    `  const root = parseXml(bytes, ${JSON.stringify(contract.settings.encoding)}, ${JSON.stringify(label)});`,
    '  for (const name of messageNames) {',
    '    const descriptor = descriptors[name];',
    '    if (root.name === descriptor.root && messageTypeText(root, descriptor.typeElement) === descriptor.typeValue) {',
    '      return { name, ...decodeTree(descriptor, root) } as DecodedMessage;',
    '    }',
    '  }',
    `  throw new ValidationError(${JSON.stringify(label)}, [`,
    `    { path: '', rule: 'xml', message: ${JSON.stringify(`the document is none of the ${provider} messages (${contract.messages.map((m) => `<${m.typeElement}>${m.typeValue}`).join(', ')})`)} },`,
    '  ]);',
    '}',
    '',
    '/**',
    ' * The value of whichever message the bytes hold (see decodeAnyMessage), discriminated by its type',
    ` * element (${[...new Set(contract.messages.map((m) => m.typeElement))].join(', ')}); unknown elements are left out. Not validated yet.`,
    ' */',
    'export function decodeMessage(bytes: Uint8Array): Messages[MessageName] {',
    '  return decodeAnyMessage(bytes).value;',
    '}',
    '',
  ].join('\n');
}
