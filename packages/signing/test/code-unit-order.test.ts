import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sortByCodeUnit } from '../src/index.js';

describe('sortByCodeUnit', () => {
  it('orders by UTF-16 code unit', () => {
    expect(sortByCodeUnit(['b', 'a_b', 'B', '_x', 'a'])).toEqual(['B', '_x', 'a', 'a_b', 'b']);
    expect(sortByCodeUnit(['\uff5e', '\u{1f600}', '中', 'é'])).toEqual(['é', '中', '\u{1f600}', '\uff5e']);
  });

  it('agrees with Array.prototype.sort() at every size (insertion sort and fallback)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 4 }), { maxLength: 40 }), (keys) => {
        expect(sortByCodeUnit([...keys])).toEqual([...keys].sort());
      }),
      { numRuns: 500 },
    );
  });
});
