import { MAX_ANSWER_BYTES_OPTION } from './answer-options.js';
import { capitalized } from './emit-json-client.js';

export interface XmlClientInput {
  readonly provider: string;
  readonly typeName: string;
  readonly title: string;
  readonly encoding: string;
  /** Operation names with both `<op>.request` and `<op>.response` messages. */
  readonly operations: readonly string[];
}

const q = JSON.stringify;

/**
 * `src/client.ts` of an XML provider (yima): one POST per message to the endpoint URL the
 * merchant was given, body in the contract's encoding (`Content-Type: text/xml; charset=GBK`),
 * the answer decoded from its raw bytes (never `Response.text()`), unknown elements kept in
 * `unknown`. Validation, transport and error typing as for the JSON clients; access control is a
 * pluggable MAC hook (the XML standard defines no signature).
 */
export function emitXmlClient(header: string, input: XmlClientInput): string {
  const { typeName, encoding } = input;
  const methods = input.operations.flatMap((op) => {
    const Op = capitalized(op);
    const prepared = `PreparedRequest<Messages[${q(`${op}.request`)}], Uint8Array>`;
    const result = `Promise<XmlProviderResult<Messages[${q(`${op}.response`)}]>>`;
    return [
      `  /** Validates and ${encoding}-encodes a \`${op}.request\` once; no I/O. Throws \`ValidationError\`. */`,
      `  prepare${Op}(input: Messages[${q(`${op}.request`)}]): ${prepared};`,
      `  /** Sends a prepared \`${op}.request\` as it is, then decodes and validates the answer. */`,
      `  send${Op}(prepared: ${prepared}, options?: SendOptions): ${result};`,
      `  /** \`send${Op}(prepare${Op}(input))\`. */`,
      `  ${op}(input: Messages[${q(`${op}.request`)}], options?: SendOptions): ${result};`,
    ];
  });
  return [
    header,
    "import { answerRejectionFor, assertPreparedFor, assertResponse, assertValid, fetchWithDeadline, preparedRequest, RefundkitError, ResponseError, ValidationError, WireRequest, type FetchLike, type PreparedRequest, type ProviderResult, type SendOptions } from '@refundkit/runtime';",
    "import { noMac, type BodyMacHook } from '@refundkit/signing';",
    "import { decodeMessageTextAs, encodeMessage } from './codec.js';",
    "import type { MessageName, Messages } from './messages.js';",
    "import { validators } from './validators.js';",
    "import { decodeText, type UnknownElement } from './xml-codec.js';",
    '',
    '/** A verified, contract-valid XML answer, with the elements the contract does not name. */',
    'export interface XmlProviderResult<T> extends ProviderResult<T> {',
    '  readonly unknown: readonly UnknownElement[];',
    '}',
    '',
    '/** The answer as text for audit: in its declared encoding when readable, else in the contract\'s. */',
    'function decodeLeniently(bytes: Uint8Array, encoding: string): string {',
    '  try {',
    "    return decodeText(bytes, encoding, 'answer');",
    '  } catch {',
    "    return new TextDecoder(encoding.toLowerCase() === 'gbk' ? 'gbk' : 'utf-8').decode(bytes);",
    '  }',
    '}',
    '',
    `/** Options of {@link create${typeName}Client}. */`,
    `export interface ${typeName}ClientOptions {`,
    '  /** The full URL of the XML endpoint the merchant was given (the document names no path). */',
    '  readonly baseUrl: string;',
    "  /** The fetch to call (tests inject one; for an undici dispatcher pass undici's own fetch). Default: global fetch. */",
    '  readonly fetch?: FetchLike;',
    '  /** One deadline per exchange, connect and body included. Default 30 000 ms. Nothing is retried. */',
    '  readonly timeoutMs?: number;',
    ...MAX_ANSWER_BYTES_OPTION,
    '  /** Headers carrying a MAC over the raw body bytes, when the merchant\'s contract has one. Default: none. */',
    '  readonly mac?: BodyMacHook;',
    '}',
    '',
    `/** The typed low-level client of ${input.title}. */`,
    `export interface ${typeName}Client {`,
    ...methods,
    '}',
    '',
    '/**',
    ` * Creates the ${input.provider} client. Each operation comes in two halves: \`prepare<Op>(input)\``,
    ` * validates and ${encoding}-encodes once, with no I/O (a \`ValidationError\` names each field,`,
    ' * including text the encoding cannot carry); `send<Op>(prepared)` sends those bytes and returns',
    ' * the decoded, validated answer; otherwise it throws a typed transport error',
    ' * (`mayHaveReachedProvider`) or a `ResponseError` carrying the raw body, its `code` naming why',
    ' * (`answer_repeated_element`, `answer_encoding`, `answer_truncated`, `answer_too_deep`, or',
    ' * `response_invalid`). `<op>(input)` does both. Nothing is retried.',
    ' */',
    `export function create${typeName}Client(options: ${typeName}ClientOptions): ${typeName}Client {`,
    `  const send = fetchWithDeadline({ fetch: options.fetch, timeoutMs: options.timeoutMs, maxAnswerBytes: options.maxAnswerBytes, decodeBody: (bytes) => decodeLeniently(bytes, ${q(encoding)}) });`,
    '  const mac = options.mac ?? noMac;',
    '  function prepare<Q extends MessageName>(requestName: Q, input: unknown): PreparedRequest<Messages[Q], Uint8Array> {',
    '    const message = assertValid(validators[requestName], input, requestName);',
    '    const body = encodeMessage(requestName, message);',
    `    return preparedRequest({ messageName: requestName, method: 'POST', url: options.baseUrl, headers: { 'content-type': ${q(`text/xml; charset=${encoding}`)} }, body, query: '', message });`,
    '  }',
    '  async function exchange<R extends MessageName>(prepared: PreparedRequest<unknown, Uint8Array>, requestName: MessageName, responseName: R, sendOptions: SendOptions | undefined): Promise<XmlProviderResult<Messages[R]>> {',
    '    assertPreparedFor(prepared, requestName);',
    '    // The MAC hook may be asynchronous: it runs here, over the bytes prepared once.',
    '    const headers = { ...prepared.headers, ...(await mac(prepared.body)) };',
    "    const response = await send(new WireRequest(prepared.url, { method: 'POST', body: prepared.body, headers, signal: sendOptions?.signal }));",
    '    const bytes = response.bytes;',
    '    let rawBody: string | undefined;',
    '    let decoded;',
    '    try {',
    `      rawBody = decodeText(bytes, ${q(encoding)}, responseName); // decoded once: an encoding we cannot read is a ResponseError, not a refusal`,
    '      decoded = decodeMessageTextAs(responseName, rawBody);',
    '    } catch (error) {',
    `      const text = rawBody ?? decodeLeniently(bytes, ${q(encoding)});`,
    '      if (error instanceof ValidationError) throw new ResponseError(error.message, text, error.issues, { cause: error, code: answerRejectionFor(error.issues) });',
    '      if (error instanceof RefundkitError) throw error;',
    "      // The request was sent: whatever went wrong reading the answer leaves the outcome unknown, never a plain error.",
    "      throw new ResponseError(`${responseName} cannot be read: ${error instanceof Error ? error.message : String(error)}`, text, [], { cause: error });",
    '    }',
    '    const data = assertResponse(decoded.value, rawBody, { messageName: responseName, validator: validators[responseName] });',
    '    return { data, rawBody, status: response.status, parsed: {}, unknown: decoded.unknown };',
    '  }',
    ...input.operations.flatMap((op) => {
      const Op = capitalized(op);
      return [
        `  const prepare${Op} = (input: Messages[${q(`${op}.request`)}]) => prepare(${q(`${op}.request`)}, input);`,
        `  const send${Op} = (prepared: PreparedRequest<Messages[${q(`${op}.request`)}], Uint8Array>, sendOptions?: SendOptions) => exchange(prepared, ${q(`${op}.request`)}, ${q(`${op}.response`)}, sendOptions);`,
      ];
    }),
    '  return {',
    ...input.operations.flatMap((op) => {
      const Op = capitalized(op);
      return [`    prepare${Op},`, `    send${Op},`, `    ${op}: async (input, sendOptions) => send${Op}(prepare${Op}(input), sendOptions),`];
    }),
    '  };',
    '}',
    '',
  ].join('\n');
}
