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
 * bigints, `NaN`/`±Infinity`, integers beyond ±(2^53 − 1), cycles, and objects that are not plain
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
import { CanonicalJsonError, type CanonicalJsonRejection } from './errors.js';

export function canonicalJson(value: unknown, rootPath = '$'): string {
  const walk: Walk = { rootPath, keys: [], ancestors: [] };
  return writeValue(value, walk);
}

/**
 * The position of the walk: the keys/indices from the root to the current value and the
 * containers on that path (for cycle detection). Mutated in place (push/pop) rather than
 * building a path string per value: the path is only formatted when a value is refused.
 */
interface Walk {
  readonly rootPath: string;
  readonly keys: Array<string | number>;
  readonly ancestors: object[];
}

function writeValue(value: unknown, walk: Walk): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return writeNumber(value, walk);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      return writeContainer(value, walk);
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

function writeNumber(value: number, walk: Walk): string {
  if (Number.isSafeInteger(value)) return value === 0 ? '0' : String(value);
  if (!Number.isFinite(value)) {
    throw refuse(walk, 'non-finite-number', 'NaN and Infinity have no JSON form');
  }
  if (Number.isInteger(value)) {
    throw refuse(walk, 'unsafe-integer', 'an integer beyond ±(2^53 − 1) cannot be carried exactly');
  }
  return JSON.stringify(value);
}

function writeContainer(value: object, walk: Walk): string {
  if (walk.ancestors.includes(value)) {
    throw refuse(walk, 'cycle', 'a cyclic reference has no JSON form');
  }
  walk.ancestors.push(value);
  const text = Array.isArray(value) ? writeArray(value as readonly unknown[], walk) : writeObject(value, walk);
  walk.ancestors.pop();
  return text;
}

function writeArray(items: readonly unknown[], walk: Walk): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    walk.keys.push(i);
    out += writeValue(items[i], walk);
    walk.keys.pop();
  }
  return out + ']';
}

function writeObject(value: object, walk: Walk): string {
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    throw refuse(walk, 'unsupported-object', `a ${describeObject(value)} is not a plain object or array (convert it first)`);
  }
  const record = value as Readonly<Record<string, unknown>>;
  const keys = Object.keys(record);
  if (keys.length > 1) keys.sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const member = record[key];
    if (member === undefined) continue;
    if (out.length > 1) out += ',';
    walk.keys.push(key);
    out += JSON.stringify(key) + ':' + writeValue(member, walk);
    walk.keys.pop();
  }
  return out + '}';
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function refuse(walk: Walk, reason: CanonicalJsonRejection, detail: string): CanonicalJsonError {
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
