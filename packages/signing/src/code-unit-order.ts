/**
 * Sorting keys by UTF-16 code unit, the order every scheme here uses (JavaScript's default
 * `Array.prototype.sort()`, Java's `String.compareTo`, and `<` on strings): `"B" < "_x" < "a"`,
 * and an astral character (a surrogate pair, `0xD83D…`) before `U+FF5E`.
 *
 * ```ts
 * sortByCodeUnit(['b', 'a_b', 'B', '_x', 'a']) // ['B', '_x', 'a', 'a_b', 'b']
 * ```
 *
 * Sorts in place and returns the array. The few keys of a payment message go through an
 * insertion sort, several times faster than `sort()` at that size; more than 16 use `sort()`.
 */
export function sortByCodeUnit(keys: string[]): string[] {
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}
