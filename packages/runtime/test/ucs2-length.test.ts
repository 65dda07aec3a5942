import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ucs2length } from '../src/index.js';

// ajv's own helper, which the precompiled validators would otherwise load at run time.
const ajvLength = (createRequire(import.meta.url)('ajv/dist/runtime/ucs2length.js') as { default: (text: string) => number }).default;

describe('ucs2length', () => {
  it('counts characters: CJK one each, a surrogate pair one, a lone surrogate one', () => {
    expect(ucs2length('')).toBe(0);
    expect(ucs2length('退款单号')).toBe(4);
    expect(ucs2length('😀a')).toBe(2);
    expect(ucs2length('\ud800')).toBe(1);
    expect(ucs2length('\udc00\ud800')).toBe(2);
    expect(ucs2length('a\ud83d')).toBe(2);
  });

  it('counts as ajv runtime ucs2length does, on any UTF-16 text (lone surrogates included)', () => {
    const units = fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0xd800, max: 0xdfff })).map((unit) => String.fromCharCode(unit));
    fc.assert(fc.property(fc.array(units, { maxLength: 12 }), (parts) => ucs2length(parts.join('')) === ajvLength(parts.join(''))), { numRuns: 2_000 });
  });
});
