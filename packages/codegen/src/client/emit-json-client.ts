import { MAX_ANSWER_BYTES_OPTION } from './answer-options.js';
import type { JsonStringField } from './json-string-fields.js';
import type { ClientNotification, ClientOperation } from './operations.js';
import type { SchemeEmitter } from './schemes/index.js';

export interface JsonClientInput {
  readonly provider: string;
  /** `Tipay` in `createTipayClient`, `TipayClient`. */
  readonly typeName: string;
  readonly title: string;
  readonly defaultServer?: string;
  readonly scheme: SchemeEmitter;
  readonly schemeName: string;
  readonly operations: readonly ClientOperation[];
  readonly notification?: ClientNotification;
  /** JSON-string fields per response message. */
  readonly jsonFields: Readonly<Record<string, readonly JsonStringField[]>>;
}

const q = JSON.stringify;

function parsedFields(fields: readonly JsonStringField[] | undefined): string {
  if (!fields || fields.length === 0) return '{}';
  const entries = fields.map((f) => {
    const access = `data${f.path
      .split('.')
      .map((p) => `?.[${q(p)}]`)
      .join('')}`;
    return `...jsonField(${access}, ${q(f.path)}, ${q(f.moneyFields)})`;
  });
  return `{ ${entries.join(', ')} }`;
}

function operationMethod(op: ClientOperation, input: JsonClientInput): string[] {
  const s = input.scheme;
  const inputType = s.inputType?.(op) ?? `Messages[${q(op.inputMessage)}]`;
  const complete = s.complete?.(op) ?? 'input';
  const sign = op.signatureField ? (s.sign?.(op) ?? 'payload') : 'payload';
  const verify = s.verifyAnswer?.(op);
  const send =
    op.method === 'GET'
      ? `http.GET(${q(op.path)}, { params: { query: wire }, parseAs: 'arrayBuffer' })`
      : `http.POST(${q(op.path)}, { body: wire, parseAs: 'arrayBuffer' })`;
  return [
    `    async ${op.name}(input: ${inputType}): Promise<ProviderResult<Messages[${q(op.responseMessage)}]>> {`,
    `      const payload = assertValid(validators[${q(op.inputMessage)}], ${complete}, ${q(op.inputMessage)});`,
    `      const wire = ${sign};`,
    `      const { data: body, response } = (await ${send}) as { data?: ArrayBuffer; response: Response };`,
    '      const rawBytes = new Uint8Array(body ?? new ArrayBuffer(0));',
    '      const rawBody = new TextDecoder().decode(rawBytes);',
    `      const data = readJsonResponse(rawBody, { messageName: ${q(op.responseMessage)}, validator: validators[${q(op.responseMessage)}], headers: response.headers, rawBytes${verify ? `, verify: ${verify}` : ''} });`,
    `      return { data, rawBody, status: response.status, parsed: ${parsedFields(input.jsonFields[op.responseMessage])} };`,
    '    },',
  ];
}

function notificationMethod(n: ClientNotification, input: JsonClientInput): string[] {
  const check = input.scheme.verifyNotification?.(n);
  return [
    '    verifyNotification(rawBody: string | Uint8Array, headerInput?: HeaderInput): NotificationResult<Messages[' + q(n.requestMessage) + ']> {',
    "      const text = typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody);",
    "      const rawBytes = typeof rawBody === 'string' ? new TextEncoder().encode(rawBody) : rawBody;",
    '      const headers = toHeaders(headerInput);',
    `      const data = readJsonResponse(text, { messageName: ${q(n.requestMessage)}, validator: validators[${q(n.requestMessage)}], headers, rawBytes${check ? `, verify: ${check.verify}` : ''} });`,
    `      return { data, verified: ${check?.verified ?? 'false'}, rawBody: text };`,
    '    },',
  ];
}

/**
 * `src/client.ts` of a JSON provider: `create<Provider>Client(options)` over openapi-fetch, one
 * typed method per operation of the contract, and `verifyNotification` where the spec has a
 * webhook. Each method validates before anything is sent (`ValidationError`), signs by the
 * spec's scheme, sends through `openapiFetchTransport` (typed transport errors, one deadline), then
 * verifies (`SignatureError`) and validates (`ResponseError`) the answer.
 */
export function emitJsonClient(header: string, input: JsonClientInput): string {
  const { typeName, scheme } = input;
  const needsJsonField = Object.values(input.jsonFields).some((f) => f.length > 0);
  const runtimeImports = [
    'assertValid',
    'openapiFetchTransport',
    'readJsonResponse',
    ...(input.notification ? ['toHeaders', 'type HeaderInput', 'type NotificationResult'] : []),
    ...(needsJsonField ? ['parseJsonStringField'] : []),
    'type FetchLike',
    'type ProviderResult',
    ...(scheme.runtimeImports ?? []),
  ];
  const methods = input.operations.map((op) => {
    const inputType = scheme.inputType?.(op) ?? `Messages[${q(op.inputMessage)}]`;
    return `  ${op.name}(input: ${inputType}): Promise<ProviderResult<Messages[${q(op.responseMessage)}]>>;`;
  });
  const usesRandomUuid = scheme.setup.some((line) => line.includes('randomUUID'));
  return [
    header,
    ...(usesRandomUuid ? ["import { randomUUID } from 'node:crypto';"] : []),
    "import createClient from 'openapi-fetch';",
    `import { ${[...new Set(runtimeImports)].join(', ')} } from '@refundkit/runtime';`,
    `import { ${scheme.signingImports.join(', ')} } from '@refundkit/signing';`,
    "import type { Messages } from './messages.js';",
    "import type { paths } from './types.js';",
    "import { validators } from './validators.js';",
    '',
    ...(scheme.declarations ?? []),
    ...(needsJsonField
      ? [
          '',
          '/** A JSON-string field parsed exactly, keyed by its path; absent when the answer has none. */',
          'function jsonField(text: unknown, path: string, money: Record<string, number>): Record<string, unknown> {',
          "  return typeof text === 'string' ? { [path]: parseJsonStringField(text, path, money) } : {};",
          '}',
        ]
      : []),
    '',
    `/** Options of {@link create${typeName}Client}. */`,
    `export interface ${typeName}ClientOptions {`,
    `  /** The provider's base URL${input.defaultServer ? `, e.g. \`${input.defaultServer}\`` : ''}; the sandbox's in tests. */`,
    '  readonly baseUrl: string;',
    "  /** The fetch to call (tests inject one; for an undici dispatcher pass undici's own fetch). Default: global fetch. */",
    '  readonly fetch?: FetchLike;',
    '  /** One deadline per exchange, connect and body included. Default 30 000 ms. Nothing is retried. */',
    '  readonly timeoutMs?: number;',
    ...MAX_ANSWER_BYTES_OPTION,
    ...scheme.options,
    '}',
    '',
    `/** The typed low-level client of ${input.title} (scheme \`${input.schemeName}\`). */`,
    `export interface ${typeName}Client {`,
    ...methods,
    ...(input.notification ? [`  /** Verifies and validates a notification body as received. */`, `  verifyNotification(rawBody: string | Uint8Array, headers?: HeaderInput): NotificationResult<Messages[${q(input.notification.requestMessage)}]>;`] : []),
    '}',
    '',
    '/**',
    ` * Creates the ${input.provider} client. Keys are parsed once, here.`,
    ' *',
    ' * Every method validates its input against the contract before sending (a `ValidationError`',
    ' * names each field), and returns only a verified, contract-valid answer; otherwise it throws a',
    ' * `TimeoutError`, `ConnectionError`, `HttpStatusError` (each says `mayHaveReachedProvider`),',
    ' * `SignatureError` or `ResponseError`; an answer larger than `maxAnswerBytes` is an',
    ' * `AnswerTooLargeError`, one with a key given twice or nested too deep a `ResponseError`',
    ' * (`answer_duplicate_key`, `answer_too_deep`). Nothing is retried here.',
    ' */',
    `export function create${typeName}Client(options: ${typeName}ClientOptions): ${typeName}Client {`,
    ...scheme.setup.map((line) => `  ${line}`),
    `  const http = createClient<paths>(openapiFetchTransport({ baseUrl: options.baseUrl, fetch: options.fetch, timeoutMs: options.timeoutMs, maxAnswerBytes: options.maxAnswerBytes${scheme.headersFor ? `, headersFor: ${scheme.headersFor}` : ''} }));`,
    '  return {',
    ...input.operations.flatMap((op) => operationMethod(op, input)),
    ...(input.notification ? notificationMethod(input.notification, input) : []),
    '  };',
    '}',
    '',
  ].join('\n');
}
