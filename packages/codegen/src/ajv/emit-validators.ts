import Ajv2020Module, { _, Name, type CodeKeywordDefinition, type KeywordCxt } from 'ajv/dist/2020.js';
import standaloneModule from 'ajv/dist/standalone/index.js';

type AjvClass = typeof import('ajv/dist/2020.js').default;
type Standalone = typeof import('ajv/dist/standalone/index.js').default;
// ajv is CommonJS: under Node's ESM loader the default import is `module.exports`, whose `default` is the export.
const Ajv2020 = ((Ajv2020Module as unknown as { default?: AjvClass }).default ?? Ajv2020Module) as AjvClass;
const standaloneCode = ((standaloneModule as unknown as { default?: Standalone }).default ?? standaloneModule) as Standalone;

/**
 * ajv runtime helpers that `@refundkit/runtime` provides (by `require` path → its export), so the
 * generated packages, which depend on the runtime anyway, never load ajv at run time.
 */
export const RUNTIME_HELPERS: Readonly<Record<string, string>> = {
  'ajv/dist/runtime/ucs2length': 'ucs2length',
};

/** The ajv a generated package depends on when its validators import a helper the runtime does not provide (codegen's own). */
export const AJV_DEPENDENCY = { ajv: '8.20.0' } as const;

/** What the generated module imports when a schema uses {@link MAX_BYTES_KEYWORD}. */
export const BYTE_LENGTH_DEPENDENCY = { 'iconv-lite': '0.7.3' } as const;

/**
 * `maxBytes: { limit, encoding, json? }`: a `String(N)` limit that counts the bytes of the field's
 * text in the wire encoding (yima: GBK, where a Chinese character takes 2 bytes), not characters.
 * With `json: true` the value is the parsed JSON of an element whose text is JSON, and the bytes
 * counted are those of its compact JSON text, as the codec writes it. Text the encoding cannot
 * carry passes this rule (it has no byte length there): the codec refuses to write it, naming the
 * characters (rule `encoding`), so it is never sent either.
 */
export interface MaxBytes {
  readonly limit: number;
  readonly encoding: string;
  readonly json?: boolean;
}

export const MAX_BYTES_KEYWORD = 'maxBytes';

/** The name the emitted module gives {@link ENCODED_BYTE_LENGTH_SOURCE}'s function. */
const BYTE_LENGTH_FUNCTION = 'encodedByteLength';

/**
 * The function validators call for `maxBytes`, emitted into the generated module (only when a
 * schema uses the keyword): the byte length of text in an encoding, or -1 when the encoding cannot
 * carry it. iconv-lite is what the XML codec encodes with, so the count is the wire's; ASCII, most
 * fields (ids, amounts), is one byte a character in every ASCII-compatible encoding and is not
 * encoded at all.
 */
const ENCODED_BYTE_LENGTH_SOURCE = `import iconv from 'iconv-lite';
function ${BYTE_LENGTH_FUNCTION}(text, encoding) {
  if (/^[\\x00-\\x7f]*$/.test(text)) return text.length;
  const bytes = iconv.encode(text, encoding);
  return iconv.decode(bytes, encoding) === text ? bytes.length : -1;
}`;

function maxBytesSchema(schema: unknown): MaxBytes {
  const value = schema as Partial<MaxBytes> | null;
  if (value === null || typeof value !== 'object' || !Number.isSafeInteger(value.limit) || (value.limit as number) < 0 || typeof value.encoding !== 'string' || !(value.json === undefined || typeof value.json === 'boolean')) {
    throw new Error(`${MAX_BYTES_KEYWORD} must be { limit: <whole number>, encoding: <label>, json?: <boolean> }, not ${JSON.stringify(schema)}`);
  }
  return value as MaxBytes;
}

/**
 * The ajv definition of `maxBytes`. Its error has `keyword: 'maxBytes'`, params `{ limit,
 * encoding, bytes }` and a message with both numbers. `onUse` is called each time a schema's
 * code uses it, which is how the generator knows the module needs {@link ENCODED_BYTE_LENGTH_SOURCE}.
 */
const maxBytesDefinition = (onUse: () => void): CodeKeywordDefinition => ({
  keyword: MAX_BYTES_KEYWORD,
  schemaType: 'object',
  code(cxt: KeywordCxt) {
    onUse();
    const { gen, data } = cxt;
    const rule = maxBytesSchema(cxt.schema);
    const measure = gen.scopeValue('func', {
      ref: () => {
        throw new Error(`${BYTE_LENGTH_FUNCTION} runs in the generated module only`);
      },
      key: BYTE_LENGTH_FUNCTION,
      code: _`${new Name(BYTE_LENGTH_FUNCTION)}`,
    });
    const bytes = gen.const('bytes', rule.json ? _`${measure}(JSON.stringify(${data}) ?? "", ${rule.encoding})` : _`typeof ${data} === "string" ? ${measure}(${data}, ${rule.encoding}) : 0`);
    cxt.setParams({ bytes });
    // Text the encoding cannot carry has no byte length: it is not this rule's to refuse. The codec
    // refuses it before anything is sent, naming the characters (rule encoding).
    cxt.fail(_`${bytes} > ${rule.limit}`);
  },
  error: {
    message: ({ schema, params }) => {
      const rule = maxBytesSchema(schema);
      const what = rule.json ? 'JSON text' : 'text';
      return _`${`must not be more than ${rule.limit} bytes of ${what} in ${rule.encoding}, is `} + ${params['bytes']}`;
    },
    params: ({ schema, params }) => {
      const rule = maxBytesSchema(schema);
      return _`{limit: ${rule.limit}, encoding: ${rule.encoding}, bytes: ${params['bytes']}}`;
    },
  },
});

/** Annotation keywords of OpenAPI 3.1 that JSON Schema 2020-12 does not define. */
const OPENAPI_ANNOTATIONS = ['example', 'xml', 'externalDocs', 'discriminator'];

export interface ValidatorSource {
  /** `$id` of the schema document, e.g. `https://refundkit.dev/specs/tipay`. */
  readonly id: string;
  /** Every schema, by name: the document's `$defs`. Refs point at `#/$defs/<name>`. */
  readonly defs: Readonly<Record<string, unknown>>;
  /** Exported validator per message name: `{ 'refund.request': 'RefundRequest' }`. */
  readonly messages: Readonly<Record<string, string>>;
}

function collectExtensionKeywords(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const item of value) collectExtensionKeywords(item, into);
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key.startsWith('x-')) into.add(key);
      collectExtensionKeywords(child, into);
    }
  }
  return into;
}

/**
 * Compiles every message schema once, at generation time, into ajv standalone code, and returns
 * it as the body of an ES module (`exports` of ajv's output are kept private).
 *
 * ajv's standalone output still calls `require(helper).default` for runtime helpers
 * (`ucs2length` for `maxLength`/`minLength`, `equal` for `enum`/`const` of objects).
 * `ucs2length` comes from `@refundkit/runtime` ({@link RUNTIME_HELPERS}): ajv's would load ajv at
 * run time for a ten-line function (cold start, issue #7). Any other helper becomes an ESM namespace import of
 * the CommonJS helper. Node exposes `module.exports` as the namespace's `default` while bundlers
 * (vite, esbuild) unwrap `__esModule` to the function itself; the emitted shim yields
 * `{ default: fn }` under both.
 *
 * Strict mode stays on: OpenAPI's annotation keywords and every `x-` extension used are
 * registered as annotations; `format` is an annotation too (`validateFormats: false`), since
 * contracts validate with `pattern`.
 */
export function compileValidatorModule(source: ValidatorSource): {
  code: string;
  exportNames: Record<string, string>;
  /** What the emitted module imports at run time besides `@refundkit/runtime`: {@link AJV_DEPENDENCY} if a helper is not in the runtime, else nothing. */
  runtimeDependencies: Readonly<Record<string, string>>;
} {
  const ajv = new Ajv2020({
    code: { source: true, esm: true, lines: true },
    allErrors: true,
    strict: true,
    strictTypes: false,
    validateFormats: false,
    unicodeRegExp: true,
  });
  const uses = { maxBytes: false };
  ajv.addKeyword(maxBytesDefinition(() => (uses.maxBytes = true)));
  for (const keyword of [...OPENAPI_ANNOTATIONS, ...collectExtensionKeywords(source.defs, new Set())]) {
    ajv.addKeyword({ keyword, schemaType: ['string', 'object', 'array', 'boolean', 'number', 'null'] });
  }
  ajv.addSchema({ $id: source.id, $defs: source.defs });
  const exportNames: Record<string, string> = {};
  const refs: Record<string, string> = {};
  // One export per schema: ajv would emit a schema's function twice if two exports named it.
  const exportOfDef = new Map<string, string>();
  for (const [message, def] of Object.entries(source.messages)) {
    if (!(def in source.defs)) throw new Error(`message ${message} points at unknown schema ${def}`);
    let local = exportOfDef.get(def);
    if (!local) {
      local = `validate_${exportOfDef.size}`;
      exportOfDef.set(def, local);
      refs[local] = `${source.id}#/$defs/${def}`;
    }
    exportNames[message] = local;
  }
  let code = standaloneCode(ajv, refs);
  const helpers = new Map<string, string>();
  code = code.replace(/require\("([^"]+)"\)/g, (_, spec: string) => {
    let local = helpers.get(spec);
    if (!local) {
      local = `ajvRuntime${helpers.size}`;
      helpers.set(spec, local);
    }
    return local;
  });
  code = code.replace(/^"use strict";/, '').replace(/export const (\w+) = (\w+);/g, 'const $1 = $2;');
  let importsAjv = false;
  const imports = [...helpers].flatMap(([spec, local]) => {
    const fromRuntime = RUNTIME_HELPERS[spec.replace(/\.js$/, '')];
    if (fromRuntime) return [`import { ${fromRuntime} as ${local}Function } from '@refundkit/runtime';`, `const ${local} = { default: ${local}Function };`];
    importsAjv = true;
    return [
      `import * as ${local}Module from ${JSON.stringify(spec.endsWith('.js') ? spec : `${spec}.js`)};`,
      `const ${local} = { default: ${local}Module.default.default ?? ${local}Module.default };`,
    ];
  });
  const measuresBytes = uses.maxBytes;
  if (measuresBytes) imports.push(ENCODED_BYTE_LENGTH_SOURCE);
  return {
    code: `${imports.join('\n')}\n${code.trim()}\n`,
    exportNames,
    runtimeDependencies: { ...(importsAjv ? AJV_DEPENDENCY : {}), ...(measuresBytes ? BYTE_LENGTH_DEPENDENCY : {}) },
  };
}
