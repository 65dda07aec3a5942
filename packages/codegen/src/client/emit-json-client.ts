import { importLines } from '../emit/imports.js';
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

/** `refund` → `Refund`, for `prepareRefund` / `sendRefund`. */
export function capitalized(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/**
 * The two halves of one operation, and the one-call method over them:
 * - `prepare<Op>(input)`: completes, validates, signs and serialises once, with openapi-fetch's own
 *   serialisers (`defaultBodySerializer`, `createQuerySerializer`, `createFinalURL`), no I/O;
 * - `send<Op>(prepared)`: sends through openapi-fetch, whose per-request `bodySerializer` /
 *   `querySerializer` options hand over the prepared text as it is, then verifies and validates the
 *   answer;
 * - `<op>(input)` = `send<Op>(prepare<Op>(input))`.
 */
function operationFunctions(op: ClientOperation, input: JsonClientInput): string[] {
  const s = input.scheme;
  const Op = capitalized(op.name);
  const inputType = s.inputType?.(op) ?? `Messages[${q(op.inputMessage)}]`;
  const complete = s.complete?.(op) ?? 'input';
  const sign = op.signatureField ? (s.sign?.(op) ?? 'payload') : 'payload';
  const verify = s.verifyAnswer?.(op);
  const isGet = op.method === 'GET';
  const preparedType = `PreparedRequest<Messages[${q(op.requestMessage)}], ${isGet ? 'undefined' : 'string'}>`;
  const resultType = `ProviderResult<Messages[${q(op.responseMessage)}]>`;
  const headerEntries = [
    ...(isGet ? [] : ["'content-type': 'application/json'"]),
    ...(s.signHeaders ? [`...${s.signHeaders}({ method: ${q(op.method)}, url, body })`] : []),
  ];
  const serialise = isGet
    ? [
        '    const body = undefined;',
        '    const query = querySerializer(message);',
        `    const url = createFinalURL(${q(op.path)}, { baseUrl, params: { query: message }, querySerializer: () => query, pathSerializer: defaultPathSerializer });`,
      ]
    : [
        '    const body = defaultBodySerializer(message);',
        "    const query = '';",
        `    const url = createFinalURL(${q(op.path)}, { baseUrl, params: {}, querySerializer, pathSerializer: defaultPathSerializer });`,
      ];
  // openapi-fetch's per-request serializer options hand over the prepared text as it is.
  const send = isGet
    ? `http.GET(${q(op.path)}, { params: { query: prepared.message }, querySerializer: () => prepared.query, headers: prepared.headers, parseAs: 'arrayBuffer', signal: sendOptions?.signal })`
    : `http.POST(${q(op.path)}, { body: prepared.message, bodySerializer: () => prepared.body, headers: prepared.headers, parseAs: 'arrayBuffer', signal: sendOptions?.signal })`;
  return [
    `  function prepare${Op}(input: ${inputType}): ${preparedType} {`,
    `    const payload = assertValid(validators[${q(op.inputMessage)}], ${complete}, ${q(op.inputMessage)});`,
    `    const message: Messages[${q(op.requestMessage)}] = ${sign};`,
    ...serialise,
    `    const headers = { ${headerEntries.join(', ')} };`,
    `    return preparedRequest({ messageName: ${q(op.requestMessage)}, method: ${q(op.method)}, url, headers, body, query, message });`,
    '  }',
    `  async function send${Op}(prepared: ${preparedType}, sendOptions?: SendOptions): Promise<${resultType}> {`,
    `    assertPreparedFor(prepared, ${q(op.requestMessage)});`,
    `    const { data: body, response } = (await ${send}) as { data?: ArrayBuffer; response: Response };`,
    '    const rawBytes = new Uint8Array(body ?? new ArrayBuffer(0));',
    '    const rawBody = new TextDecoder().decode(rawBytes);',
    `    const data = readJsonResponse(rawBody, { messageName: ${q(op.responseMessage)}, validator: validators[${q(op.responseMessage)}], headers: response.headers, rawBytes${verify ? `, verify: ${verify}` : ''} });`,
    `    return { data, rawBody, status: response.status, parsed: ${parsedFields(input.jsonFields[op.responseMessage])} };`,
    '  }',
  ];
}

/** The client object's members for one operation: both halves, and the one call over them. */
function operationMembers(op: ClientOperation): string[] {
  const Op = capitalized(op.name);
  return [
    `    prepare${Op},`,
    `    send${Op},`,
    `    ${op.name}: async (input, sendOptions) => send${Op}(prepare${Op}(input), sendOptions),`,
  ];
}

/** The interface lines for one operation. */
function operationSignatures(op: ClientOperation, input: JsonClientInput): string[] {
  const Op = capitalized(op.name);
  const inputType = input.scheme.inputType?.(op) ?? `Messages[${q(op.inputMessage)}]`;
  const isGet = op.method === 'GET';
  const preparedType = `PreparedRequest<Messages[${q(op.requestMessage)}], ${isGet ? 'undefined' : 'string'}>`;
  const resultType = `Promise<ProviderResult<Messages[${q(op.responseMessage)}]>>`;
  return [
    `  /** Completes, validates, signs and serialises a \`${op.requestMessage}\` once; no I/O. Throws \`ValidationError\`. */`,
    `  prepare${Op}(input: ${inputType}): ${preparedType};`,
    `  /** Sends a prepared \`${op.requestMessage}\` as it is, then verifies and validates the answer. */`,
    `  send${Op}(prepared: ${preparedType}, options?: SendOptions): ${resultType};`,
    `  /** \`send${Op}(prepare${Op}(input))\`. */`,
    `  ${op.name}(input: ${inputType}, options?: SendOptions): ${resultType};`,
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
 * typed `prepare<Op>` / `send<Op>` pair (and the one call over both) per operation of the contract,
 * and `verifyNotification` where the spec has a webhook. `prepare<Op>` validates before anything is
 * sent (`ValidationError`), signs by the spec's scheme and serialises, once; `send<Op>` sends
 * through openapi-fetch and `openapiFetchTransport` (typed transport errors, one deadline), then
 * verifies (`SignatureError`) and validates (`ResponseError`) the answer.
 */
export function emitJsonClient(header: string, input: JsonClientInput): string {
  const { typeName, scheme } = input;
  const needsJsonField = Object.values(input.jsonFields).some((f) => f.length > 0);
  const runtimeImports = [
    'assertPreparedFor',
    'assertValid',
    'openapiFetchTransport',
    'preparedRequest',
    'readJsonResponse',
    ...(input.notification ? ['toHeaders', 'type HeaderInput', 'type NotificationResult'] : []),
    ...(needsJsonField ? ['parseJsonStringField'] : []),
    'type FetchLike',
    'type PreparedRequest',
    'type ProviderResult',
    'type SendOptions',
    ...(scheme.runtimeImports ?? []),
  ];
  const methods = input.operations.flatMap((op) => operationSignatures(op, input));
  const hasGet = input.operations.some((op) => op.method === 'GET');
  return [
    header,
    ...importLines(scheme.moduleImports),
    `import createClient, { createFinalURL, createQuerySerializer, ${input.operations.some((op) => op.method !== 'GET') ? 'defaultBodySerializer, ' : ''}defaultPathSerializer, removeTrailingSlash } from 'openapi-fetch';`,
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
    ' * Each operation comes in two halves: `prepare<Op>(input)` completes, validates against the',
    ' * contract (a `ValidationError` names each field), signs and serialises once, with no I/O;',
    ' * `send<Op>(prepared)` sends exactly that and returns only a verified, contract-valid answer;',
    ' * otherwise it throws a `TimeoutError`, `ConnectionError`, `HttpStatusError` (each says',
    ' * `mayHaveReachedProvider`), `SignatureError` or `ResponseError`; an answer larger than',
    ' * `maxAnswerBytes` is an `AnswerTooLargeError`, one with a key given twice or nested too deep a',
    ' * `ResponseError` (`answer_duplicate_key`, `answer_too_deep`). `<op>(input)` does both. Nothing',
    ' * is retried here.',
    ' */',
    `export function create${typeName}Client(options: ${typeName}ClientOptions): ${typeName}Client {`,
    ...scheme.setup.map((line) => `  ${line}`),
    `  const http = createClient<paths>(openapiFetchTransport({ baseUrl: options.baseUrl, fetch: options.fetch, timeoutMs: options.timeoutMs, maxAnswerBytes: options.maxAnswerBytes${scheme.headersFor ? `, headersFor: ${scheme.headersFor}` : ''} }));`,
    '  // What openapi-fetch does to the base URL and the query, done once per request in prepare.',
    '  const baseUrl = removeTrailingSlash(options.baseUrl);',
    `  const querySerializer = createQuerySerializer${hasGet ? '<Record<string, unknown>>' : ''}();`,
    ...input.operations.flatMap((op) => operationFunctions(op, input)),
    '  return {',
    ...input.operations.flatMap((op) => operationMembers(op)),
    ...(input.notification ? notificationMethod(input.notification, input) : []),
    '  };',
    '}',
    '',
  ].join('\n');
}
