import { MAX_ANSWER_DEPTH, ResponseError } from '../errors/response-error.js';

/** What {@link jsonShapeProblem} found wrong with a JSON text that parses. */
export interface JsonShapeProblem {
  readonly rule: 'depth' | 'duplicateKey';
  /** Dotted path (`[n]` for array items) of the offending value, under `root`. */
  readonly path: string;
}

interface Frame {
  /** The keys met so far in this object; `undefined` for an array. */
  readonly keys: Set<string> | undefined;
  /** The current key (object) or index (array), for the path. */
  at: string | number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/**
 * Checks, in one pass over the text and without recursion, what `JSON.parse` lets through but a
 * single-valued contract cannot: nesting deeper than `maxDepth` containers, and an object naming
 * the same key twice (`{"code":"FAIL","code":"SUCCESS"}`: `JSON.parse` keeps the last, another
 * reader may keep the first). Keys are compared as the strings they denote (`"a"` and `"\u0061"`
 * are the same key).
 *
 * Meant for text `JSON.parse` has accepted: for other text the answer is meaningless.
 *
 * Why hand-written: lossless-json refuses duplicate keys too, but it is a recursive-descent
 * parser (a 20,000-deep array overflows the stack) and costs several times `JSON.parse`; no
 * maintained library checks both without building the value.
 *
 * @example
 * jsonShapeProblem('{"a":1,"a":2}', 'answer') // { rule: 'duplicateKey', path: 'answer.a' }
 * jsonShapeProblem('[[[1]]]', 'answer', 2)     // { rule: 'depth', path: 'answer[0][0]' }
 */
export function jsonShapeProblem(text: string, root: string, maxDepth = MAX_ANSWER_DEPTH): JsonShapeProblem | undefined {
  const frames: Frame[] = [];
  let expectKey = false;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const start = i;
      i = closingQuote(text, start); // indexOf: a long string (a base64 signature) is skipped natively
      if (!expectKey) continue;
      expectKey = false;
      const frame = frames[frames.length - 1] as Frame;
      const raw = text.slice(start + 1, i);
      const key = raw.includes('\\') ? unescapeKey(text.slice(start, i + 1)) : raw;
      frame.at = key;
      if (frame.keys?.has(key)) return { rule: 'duplicateKey', path: pathOf(root, frames) };
      frame.keys?.add(key);
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (frames.length >= maxDepth) return { rule: 'depth', path: pathOf(root, frames) };
      const isObject = c === OPEN_OBJECT;
      frames.push({ keys: isObject ? new Set() : undefined, at: isObject ? '' : 0 });
      expectKey = isObject;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      frames.pop();
      expectKey = false;
    } else if (c === COMMA) {
      const frame = frames[frames.length - 1];
      if (frame === undefined) continue;
      if (frame.keys === undefined) frame.at = (frame.at as number) + 1;
      else expectKey = true;
    }
  }
  return undefined;
}

/** The index of the quote closing the string opened at `open` (not escaped by an odd run of backslashes); the text's length if none. */
function closingQuote(text: string, open: number): number {
  for (let end = text.indexOf('"', open + 1); end !== -1; end = text.indexOf('"', end + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return end;
  }
  return text.length;
}

/** The string a quoted key denotes; the text itself when it is not valid JSON (then nothing parses it). */
function unescapeKey(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted;
  }
}

function pathOf(root: string, frames: readonly Frame[]): string {
  let path = root;
  for (const frame of frames) {
    if (typeof frame.at === 'number') path += `[${frame.at}]`;
    else if (frame.at !== '') path += path === '' ? frame.at : `.${frame.at}`;
  }
  return path;
}

/**
 * `JSON.parse` for provider text, refusing what {@link jsonShapeProblem} finds: a
 * {@link ResponseError} (`response_invalid` when it is not JSON, `answer_too_deep`,
 * `answer_duplicate_key`) carrying `rawBody`. `JSON.parse` itself is iterative in V8 and makes
 * `__proto__` an own property, never a prototype.
 *
 * @param what Names the text in messages and issue paths, e.g. `refund.response`.
 */
export function parseAnswerJson(text: string, what: string, rawBody: string = text): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ResponseError(`${what} is not JSON`, rawBody, [{ path: '', rule: 'json', message: `${what} is not JSON` }], { cause: error });
  }
  assertJsonShape(text, what, rawBody);
  return value;
}

/** Throws the {@link ResponseError} for {@link jsonShapeProblem}'s finding, if any. */
export function assertJsonShape(text: string, what: string, rawBody: string = text, pathRoot = ''): void {
  const problem = jsonShapeProblem(text, pathRoot);
  if (problem === undefined) return;
  const where = problem.path === '' ? what : problem.path;
  if (problem.rule === 'depth') {
    const message = `${where} is nested more than ${MAX_ANSWER_DEPTH} levels deep in ${what}`;
    throw new ResponseError(message, rawBody, [{ path: problem.path, rule: 'depth', message }], { code: 'answer_too_deep' });
  }
  const message = `${where} appears twice in one object of ${what}; the contract allows one value`;
  throw new ResponseError(message, rawBody, [{ path: problem.path, rule: 'duplicateKey', message }], { code: 'answer_duplicate_key' });
}
