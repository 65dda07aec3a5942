import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CANONICAL_JSON_MAX_DEPTH, CanonicalJsonError, canonicalJson, type CanonicalJsonRejection } from '../src/index.js';
import { vectors } from './support.js';

describe('canonicalJson: vectors computed with Python (test/fixtures/reference.py)', () => {
  it.each(vectors.canonicalJson.map((v) => [v.name, v] as const))('%s', (_name, vector) => {
    expect(canonicalJson(vector.input)).toBe(vector.expected);
  });

  it('has the vectors it is meant to have', () => {
    expect(vectors.canonicalJson.length).toBeGreaterThanOrEqual(8);
    expect(vectors.canonicalJson.every((v) => v.command.includes('reference.py canonical'))).toBe(true);
  });
});

describe('canonicalJson: format', () => {
  it('does not escape "/" or non-ASCII, and escapes what JSON requires', () => {
    expect(canonicalJson({ url: 'https://a/b', text: '退款😀' })).toBe('{"text":"退款😀","url":"https://a/b"}');
    expect(canonicalJson('a"b\\c\n\u0001')).toBe('"a\\"b\\\\c\\n\\u0001"');
  });

  it('sorts keys by UTF-16 code unit, recursively, and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1, 2], c: 0 }, B: 2 })).toBe('{"B":2,"a":{"c":0,"d":[3,1,2]},"b":1}');
    // U+1F600 is the surrogate pair D83D DE00, which sorts before U+FF5E by code unit
    expect(canonicalJson({ '\uff5e': 1, '\u{1f600}': 2 })).toBe('{"\u{1f600}":2,"\uff5e":1}');
  });

  it('keeps empty values, writes numbers as JSON numbers', () => {
    expect(canonicalJson({ e: '', n: null, o: {}, a: [], z: 0, d: 0.01, t: true })).toBe(
      '{"a":[],"d":0.01,"e":"","n":null,"o":{},"t":true,"z":0}',
    );
    expect(canonicalJson(-0)).toBe('0');
    expect(canonicalJson(Number.MAX_SAFE_INTEGER)).toBe('9007199254740991');
    expect(canonicalJson(1e-7)).toBe('1e-7');
  });

  it('omits object properties whose value is undefined, as JSON.stringify does', () => {
    expect(canonicalJson({ a: undefined, b: 1, c: { d: undefined } })).toBe('{"b":1,"c":{}}');
    expect(canonicalJson({ a: undefined, b: 1 })).toBe(canonicalJson({ b: 1 }));
  });

  it('accepts null-prototype objects and repeated (non-cyclic) references', () => {
    const shared = { x: 1 };
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { b: shared, a: shared });
    expect(canonicalJson(bare)).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it('treats "__proto__" parsed from JSON as an ordinary key', () => {
    const parsed: unknown = JSON.parse('{"__proto__":{"x":1},"a":2}');
    expect(canonicalJson(parsed)).toBe('{"__proto__":{"x":1},"a":2}');
  });

  it('names the root in error paths when given one', () => {
    expect(() => canonicalJson({ amount: Number.NaN }, '$.reqBody')).toThrow(
      expect.objectContaining({ path: '$.reqBody.amount', reason: 'non-finite-number' }),
    );
  });
});

describe('canonicalJson: rejections name the path', () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic['self'] = cyclic;
  const cyclicArray: unknown[] = [];
  cyclicArray.push({ back: cyclicArray });
  class Amount {
    constructor(readonly fen: number) {}
  }
  // eslint-disable-next-line no-sparse-arrays
  const sparse = [, 1];
  const cases: ReadonlyArray<readonly [string, unknown, string, CanonicalJsonRejection]> = [
    ['NaN', Number.NaN, '$', 'non-finite-number'],
    ['Infinity in an array', { a: [1, Infinity] }, '$.a[1]', 'non-finite-number'],
    ['-Infinity', { a: { b: -Infinity } }, '$.a.b', 'non-finite-number'],
    ['undefined as the value', undefined, '$', 'undefined'],
    ['undefined in an array', { list: [1, undefined] }, '$.list[1]', 'undefined'],
    ['a hole in a sparse array', sparse, '$[0]', 'undefined'],
    ['a function', { f: () => 1 }, '$.f', 'function'],
    ['a symbol', { s: Symbol('x') }, '$.s', 'symbol'],
    ['a bigint', { n: 10n }, '$.n', 'bigint'],
    ['an integer above 2^53 − 1', { n: 2 ** 53 }, '$.n', 'unsafe-integer'],
    ['an integer below −(2^53 − 1)', [-(2 ** 53)], '$[0]', 'unsafe-integer'],
    ['a huge double', { n: 1e300 }, '$.n', 'unsafe-integer'],
    ['a cyclic object', cyclic, '$.self', 'cycle'],
    ['a cycle through an array', cyclicArray, '$[0].back', 'cycle'],
    ['a Date', { when: new Date(0) }, '$.when', 'unsupported-object'],
    ['a Map', { m: new Map() }, '$.m', 'unsupported-object'],
    ['a class instance', { amount: new Amount(1) }, '$.amount', 'unsupported-object'],
    ['a boxed string', { s: new String('x') }, '$.s', 'unsupported-object'],
    ['a key that is not an identifier', { 'a b': { '中': Number.NaN } }, '$["a b"]["中"]', 'non-finite-number'],
  ];

  it.each(cases)('%s', (_name, value, path, reason) => {
    let thrown: unknown;
    try {
      canonicalJson(value);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CanonicalJsonError);
    expect(thrown).toMatchObject({ path, reason, code: 'canonical_json', name: 'CanonicalJsonError' });
    expect((thrown as Error).message).toContain(path);
  });

  it('never puts values in the message', () => {
    try {
      canonicalJson({ secret: 'TOPSECRET-VALUE', bad: [Symbol('TOPSECRET-SYMBOL')] });
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain('TOPSECRET');
      expect((error as Error).stack).not.toContain('TOPSECRET');
    }
  });
});

// --- property tests ---------------------------------------------------------------------------

/** JSON values canonicalJson must accept: safe integers, finite doubles (−0 as 0), any strings. */
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    fc
      .double({ noNaN: true, noDefaultInfinity: true })
      .filter((n) => !Number.isInteger(n) || Number.isSafeInteger(n))
      .map((n) => (Object.is(n, -0) ? 0 : n)),
    fc.string({ unit: 'binary' }),
    fc.string({ unit: fc.constantFrom('a', 'B', '中', '/', '"', '\\', '\n', '\ud800', '\udc00', '😀') }),
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(
    fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), fc.constantFrom('__proto__', '10', '9', 'a', 'A', '中', '😀', '\uff5e')),
    tie('value'),
    { maxKeys: 6 },
  ),
})).value;

/** A deep copy with every object's keys in a different (pseudo-random) order. */
function reorderKeys(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((item, i) => reorderKeys(item, seed + i + 1));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  let state = seed >>> 0;
  for (let i = entries.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  return Object.fromEntries(entries.map(([key, item], i) => [key, reorderKeys(item, seed * 31 + i)]));
}

describe('canonicalJson: properties', () => {
  it('the key order of the input never changes the output', () => {
    fc.assert(
      fc.property(jsonValue, fc.integer(), (value, seed) => {
        expect(canonicalJson(reorderKeys(value, seed))).toBe(canonicalJson(value));
      }),
      { numRuns: 500 },
    );
  });

  it('the output parses back to an equal value', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(value);
      }),
      { numRuns: 500 },
    );
  });

  it('is idempotent through JSON.parse, and compact (no whitespace outside strings)', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        const outsideStrings = text.replace(/"(?:[^"\\]|\\.)*"/g, '""');
        expect(outsideStrings).not.toMatch(/\s/);
      }),
      { numRuns: 300 },
    );
  });

  it('object keys come out sorted by code unit', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary', maxLength: 4 }), fc.integer(), { maxKeys: 8 }), (record) => {
        // read the keys back in textual order (JSON.parse would move integer-like keys first)
        const textual = [...canonicalJson(record).matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
        expect(new Set(textual)).toEqual(new Set(Object.keys(record)));
        expect(textual).toEqual([...textual].sort());
      }),
      { numRuns: 300 },
    );
  });

  it('a value JSON cannot carry, anywhere, is rejected with its path', () => {
    const bad = fc.constantFrom<readonly [unknown, CanonicalJsonRejection]>(
      [Number.NaN, 'non-finite-number'],
      [Infinity, 'non-finite-number'],
      [10n, 'bigint'],
      [2 ** 60, 'unsafe-integer'],
      [() => 0, 'function'],
      [Symbol('s'), 'symbol'],
      [new Date(0), 'unsupported-object'],
    );
    const step = fc.oneof(fc.constantFrom('a', 'b_c', 'reqBody'), fc.nat({ max: 3 }));
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 5 }), bad, jsonValue, (steps, [badValue, reason], filler) => {
        let value: unknown = badValue;
        for (let i = steps.length - 1; i >= 0; i--) {
          const s = steps[i]!;
          if (typeof s === 'number') {
            const array: unknown[] = Array.from({ length: s }, () => filler);
            array.push(value);
            value = array;
          } else {
            value = { zz_filler: filler, [s]: value };
          }
        }
        const path = '$' + steps.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');
        expect(() => canonicalJson(value)).toThrow(expect.objectContaining({ path, reason }));
      }),
      { numRuns: 300 },
    );
  });
});

describe('canonicalJson: nesting depth', () => {
  const nest = (depth: number): unknown => {
    let value: unknown = 'leaf';
    for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { k: value };
    return value;
  };

  it(`writes ${CANONICAL_JSON_MAX_DEPTH} levels and refuses one more with reason too-deep`, () => {
    expect(canonicalJson(nest(CANONICAL_JSON_MAX_DEPTH)).length).toBeGreaterThan(CANONICAL_JSON_MAX_DEPTH);
    const error = (() => {
      try {
        return canonicalJson(nest(CANONICAL_JSON_MAX_DEPTH + 1));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CanonicalJsonError);
    expect(error).toMatchObject({ reason: 'too-deep' });
  });

  it('20,000 levels (JSON.parse builds them without trouble) are a CanonicalJsonError, never a RangeError', () => {
    const deep = JSON.parse('{"rspBody":' + '['.repeat(20_000) + ']'.repeat(20_000) + '}') as unknown;
    expect(() => canonicalJson(deep)).toThrow(CanonicalJsonError);
  });

  it('any depth up to 100,000 gives a text or a CanonicalJsonError', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), (depth) => {
        try {
          return typeof canonicalJson(nest(depth)) === 'string' && depth <= CANONICAL_JSON_MAX_DEPTH;
        } catch (error) {
          return error instanceof CanonicalJsonError && error.reason === 'too-deep' && depth > CANONICAL_JSON_MAX_DEPTH;
        }
      }),
      { numRuns: 30 },
    );
  });
});
