import { describe, expect, it } from 'vitest';
import { constantTimeEqual, decodeBase64Strict, decodeHexStrict } from '../src/index.js';

describe('decodeBase64Strict', () => {
  it.each([
    ['AQID', [1, 2, 3]],
    ['AQI=', [1, 2]],
    ['AQ==', [1]],
    ['+/+/', [0xfb, 0xff, 0xbf]],
    ['AQ\r\nID', [1, 2, 3]],
  ])('%j decodes', (text, bytes) => {
    expect([...decodeBase64Strict(text)!]).toEqual(bytes);
  });

  it.each([[''], ['AQI'], ['AQ='], ['A==='], ['AQI*'], ['-_-_'], ['AQ ID'], ['AQ==AQ=='], ['中文']])('%j is refused', (text) => {
    expect(decodeBase64Strict(text)).toBeUndefined();
  });
});

describe('decodeHexStrict', () => {
  it('decodes either case at the exact length only', () => {
    expect([...decodeHexStrict('0aFF', 2)!]).toEqual([0x0a, 0xff]);
    expect(decodeHexStrict('0aF', 2)).toBeUndefined();
    expect(decodeHexStrict('0aFF00', 2)).toBeUndefined();
    expect(decodeHexStrict('0g', 1)).toBeUndefined();
  });
});

describe('constantTimeEqual', () => {
  it('compares bytes, and unequal lengths are simply unequal', () => {
    expect(constantTimeEqual(Buffer.from('abc'), Buffer.from('abc'))).toBe(true);
    expect(constantTimeEqual(Buffer.from('abc'), Buffer.from('abd'))).toBe(false);
    expect(constantTimeEqual(Buffer.from('abc'), Buffer.from('ab'))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });
});
