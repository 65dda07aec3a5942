/**
 * Canonical JSON, as EasyPay's signing scheme needs it: the one text every party derives from the
 * same value.
 *
 * - object keys sorted by UTF-16 code unit (JavaScript's default sort, Java's `String.compareTo`),
 *   recursively; arrays keep their order;
 * - compact: no whitespace;
 * - strings exactly as `JSON.stringify` writes them: `"`, `\` and control characters escaped,
 *   `/` and non-ASCII (CJK, emoji) written as they are, lone surrogates as `\udXXX`;
 * - numbers as JSON numbers (`1`, `0.01`, `-0` becomes `0`), `null`, `true`/`false` kept;
 *   empty strings, `null`, `{}` and `[]` are kept (empty values are signed like any other).
 *
 * Properties whose value is `undefined` are omitted, exactly as `JSON.stringify` omits them, so an
 * absent optional field and one set to `undefined` sign the same. Everything else that JSON
 * cannot carry exactly is refused with a {@link CanonicalJsonError} naming its path, rather than
 * silently dropped or altered: `undefined` in an array or as the whole value, functions, symbols,
 * bigints, `NaN`/`±Infinity`, integers beyond ±(2^53 − 1), cycles, nesting deeper than
 * {@link CANONICAL_JSON_MAX_DEPTH} objects and arrays (`too-deep`: the walk recurses, and a value
 * parsed from a hostile answer could otherwise overflow the stack), and objects that are not plain
 * objects or arrays (`Date`, `Map`, class instances: convert them first; `toJSON` is not called).
 * Symbol-keyed and non-enumerable properties are ignored, as `JSON.stringify` ignores them.
 *
 * ```ts
 * canonicalJson({ transTime: '20241104104313', reqId: '531000023045074' })
 * // '{"reqId":"531000023045074","transTime":"20241104104313"}'
 * canonicalJson({ b: [2, { d: '中文/x', c: null }], a: '' })
 * // '{"a":"","b":[2,{"c":null,"d":"中文/x"}]}'
 * canonicalJson({ amount: NaN }, '$.reqBody')
 * // throws CanonicalJsonError { path: '$.reqBody.amount', reason: 'non-finite-number' }
 * ```
 *
 * `rootPath` only names the value in error paths (default `$`).
 */
import { sortByCodeUnit } from './code-unit-order.js';
import { CanonicalJsonError, type CanonicalJsonRejection } from './errors.js';

export function canonicalJson(value: unknown, rootPath = '$'): string {
  try {
    return writeValue(value, undefined, 0);
  } catch (error) {
    if (error !== RETRY_WITH_PATHS) throw error;
  }
  return writeValue(value, { rootPath, keys: [], ancestors: [] }, 0);
}

/**
 * Where the walk is: the keys/indices from the root to the current value, and the containers on
 * that path (for cycle detection). The first pass runs without it (`undefined`), which is
 * several times cheaper; when that pass meets anything to refuse, or nesting deep enough to be
 * a cycle, it gives up and the second pass, with a `Walk`, finds the path and the reason.
 */
interface Walk {
  readonly rootPath: string;
  readonly keys: Array<string | number>;
  readonly ancestors: object[];
}

/** Thrown by the first pass (only) to ask for the second. */
const RETRY_WITH_PATHS: unique symbol = Symbol('retry canonicalJson with paths');

/** Nesting beyond this in the first pass is treated as a possible cycle and re-checked. */
const FIRST_PASS_MAX_DEPTH = 64;

/**
 * The deepest nesting of objects and arrays canonicalJson writes: far beyond any message EasyPay
 * signs (under 6 levels), and far from the call stack's end (about 10,000 levels of this walk).
 * Deeper is refused with reason `too-deep` before the stack can overflow.
 */
export const CANONICAL_JSON_MAX_DEPTH = 256;

function writeValue(value: unknown, walk: Walk | undefined, depth: number): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return writeNumber(value, walk);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      return writeContainer(value, walk, depth);
    case 'undefined':
      throw refuse(walk, 'undefined', 'undefined has no JSON form');
    case 'bigint':
      throw refuse(walk, 'bigint', 'a bigint has no JSON number form (use a number or a string)');
    case 'function':
      throw refuse(walk, 'function', 'a function has no JSON form');
    case 'symbol':
      throw refuse(walk, 'symbol', 'a symbol has no JSON form');
  }
}

function writeNumber(value: number, walk: Walk | undefined): string {
  if (Number.isSafeInteger(value)) return value === 0 ? '0' : String(value);
  if (!Number.isFinite(value)) {
    throw refuse(walk, 'non-finite-number', 'NaN and Infinity have no JSON form');
  }
  if (Number.isInteger(value)) {
    throw refuse(walk, 'unsafe-integer', 'an integer beyond ±(2^53 − 1) cannot be carried exactly');
  }
  return JSON.stringify(value);
}

function writeContainer(value: object, walk: Walk | undefined, depth: number): string {
  if (walk === undefined) {
    if (depth >= FIRST_PASS_MAX_DEPTH) throw RETRY_WITH_PATHS;
    return Array.isArray(value) ? writeArray(value, walk, depth + 1) : writeObject(value, walk, depth + 1);
  }
  if (walk.ancestors.includes(value)) {
    throw refuse(walk, 'cycle', 'a cyclic reference has no JSON form');
  }
  if (depth >= CANONICAL_JSON_MAX_DEPTH) {
    throw refuse(walk, 'too-deep', `objects and arrays nest more than ${CANONICAL_JSON_MAX_DEPTH} levels deep`);
  }
  walk.ancestors.push(value);
  const text = Array.isArray(value) ? writeArray(value, walk, depth + 1) : writeObject(value, walk, depth + 1);
  walk.ancestors.pop();
  return text;
}

function writeArray(items: readonly unknown[], walk: Walk | undefined, depth: number): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    walk?.keys.push(i);
    out += writeValue(items[i], walk, depth);
    walk?.keys.pop();
  }
  return out + ']';
}

function writeObject(value: object, walk: Walk | undefined, depth: number): string {
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    throw refuse(walk, 'unsupported-object', `a ${describeObject(value)} is not a plain object or array (convert it first)`);
  }
  const record = value as Readonly<Record<string, unknown>>;
  const keys = sortByCodeUnit(Object.keys(record));
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const member = record[key];
    if (member === undefined) continue;
    if (out.length > 1) out += ',';
    walk?.keys.push(key);
    out += quote(key) + ':' + writeValue(member, walk, depth);
    walk?.keys.pop();
  }
  return out + '}';
}

/**
 * `JSON.stringify(text)`, with a fast path for the common case of nothing to escape (no `"`,
 * backslash, control character or surrogate; paired surrogates go to `JSON.stringify` too, which
 * leaves them as they are).
 */
function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : '"' + text + '"';
}

const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function refuse(walk: Walk | undefined, reason: CanonicalJsonRejection, detail: string): unknown {
  if (walk === undefined) return RETRY_WITH_PATHS;
  let path = walk.rootPath;
  for (const key of walk.keys) {
    if (typeof key === 'number') path += `[${key}]`;
    else path += IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  }
  return new CanonicalJsonError(path, reason, detail);
}

function describeObject(value: object): string {
  const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'non-plain object';
}
