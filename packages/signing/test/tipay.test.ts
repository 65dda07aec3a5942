import { describe, expect, it } from 'vitest';
import {
  Secret,
  TipayRequestError,
  createTipaySigner,
  readHeader,
  tipayParamsJson,
  tipayQueryJson,
  tipaySignature,
} from '../src/index.js';
import { vectors } from './support.js';

const { appId, appKey } = vectors.tipay;
const encoder = new TextEncoder();

function signerAt(timestamp: string | number) {
  return createTipaySigner({ appId, appKey: new Secret(appKey), clock: () => Number(timestamp) });
}

describe('tipay: vectors (printf ParamsJson Timestamp AppKey | sha256sum)', () => {
  describe.each(vectors.tipay.vectors.map((v) => [v.name, v] as const))('%s', (_name, vector) => {
    const paramsJson = vector.paramsJson?.value ?? vector.body ?? '';

    it('ParamsJson is the body as sent, or the query JSON for GET', () => {
      expect(tipayParamsJson(vector.method, vector.url, vector.body)).toBe(paramsJson);
      if (vector.paramsJson !== undefined) expect(tipayQueryJson(vector.url)).toBe(vector.paramsJson.value);
    });

    it('tipaySignature over a string and over the same bytes', () => {
      expect(tipaySignature(paramsJson, vector.timestamp, appKey)).toBe(vector.signature.value);
      expect(tipaySignature(encoder.encode(paramsJson), vector.timestamp, new Secret(appKey))).toBe(vector.signature.value);
    });

    it('signRequest gives the three headers, timestamped by the injected clock', () => {
      const body = vector.body === null ? undefined : encoder.encode(vector.body);
      expect(signerAt(vector.timestamp).signRequest({ method: vector.method, url: vector.url, body })).toEqual({
        'ti-appid': appId,
        'ti-timestamp': vector.timestamp,
        'ti-signature': vector.signature.value,
      });
    });

    it('verify accepts it', () => {
      const headers = { 'ti-timestamp': vector.timestamp, 'ti-signature': vector.signature.value };
      expect(signerAt(0).verify({ body: paramsJson, headers })).toEqual({ valid: true });
    });
  });

  it('the seed (003) curl body is signed byte for byte, newlines and indentation included', () => {
    const seed = vectors.tipay.vectors[0]!;
    expect(seed.body).toContain('\n    "merchantNo": "string",');
    const compacted = JSON.stringify(JSON.parse(seed.body!));
    expect(tipaySignature(compacted, seed.timestamp, appKey)).not.toBe(seed.signature.value);
  });
});

describe('tipay: ParamsJson for GET', () => {
  it('keeps the order sent, integer-like keys included, and decodes values', () => {
    expect(tipayQueryJson('https://x/q?b=1&10=2&a=%E4%B8%AD+%2F')).toBe('{"b":"1","10":"2","a":"中 /"}');
    expect(tipayQueryJson(new URL('https://x/q'))).toBe('{}');
    expect(tipayParamsJson('head', 'https://x/q?a=1', 'ignored')).toBe('{"a":"1"}');
    expect(tipayParamsJson('DELETE', 'https://x/q?a=1')).toBe('');
  });

  it('refuses a repeated query key (no single JSON form)', () => {
    expect(() => tipayQueryJson('https://x/q?a=1&a=2')).toThrow(TipayRequestError);
    expect(() => signerAt(1).signRequest({ method: 'GET', url: 'https://x/q?a=1&b=2&a=3' })).toThrow(
      expect.objectContaining({ reason: 'duplicate-query-parameter' }),
    );
  });
});

describe('tipay: clock', () => {
  it('defaults to Date.now', () => {
    const before = Date.now();
    const headers = createTipaySigner({ appId, appKey }).signRequest({ method: 'POST', url: 'https://x/', body: '{}' });
    const after = Date.now();
    const sent = Number(headers['ti-timestamp']);
    expect(headers['ti-timestamp']).toMatch(/^\d{13}$/);
    expect(sent).toBeGreaterThanOrEqual(before);
    expect(sent).toBeLessThanOrEqual(after);
    expect(headers['ti-signature']).toBe(tipaySignature('{}', headers['ti-timestamp'], appKey));
  });

  it.each([[1.5], [-1], [Number.NaN], [2 ** 60]])('refuses a clock value of %s', (time) => {
    expect(() => signerAt(time).signRequest({ method: 'POST', url: 'https://x/', body: '{}' })).toThrow(
      expect.objectContaining({ reason: 'invalid-timestamp', code: 'tipay_request' }),
    );
  });
});

describe('tipay: verification, and any single change fails', () => {
  const vector = vectors.tipay.vectors[1]!;
  const body = encoder.encode(vector.body!);
  const headers = new Headers({ 'ti-appid': appId, 'ti-timestamp': vector.timestamp, 'ti-signature': vector.signature.value });
  const signer = signerAt(vector.timestamp);

  it('accepts fetch Headers and Node-style header records in any case', () => {
    expect(signer.verify({ body, headers })).toEqual({ valid: true });
    const record = { 'Ti-Timestamp': vector.timestamp, 'TI-SIGNATURE': [vector.signature.value], host: 'x' };
    expect(signer.verify({ body, headers: record })).toEqual({ valid: true });
    expect(readHeader(record, 'ti-signature')).toBe(vector.signature.value);
    expect(readHeader({ 'ti-signature': ['a', 'b'] }, 'ti-signature')).toBeUndefined();
  });

  it('changing any one byte of the body fails', () => {
    expect(body.length).toBeGreaterThan(150);
    for (let i = 0; i < body.length; i++) {
      const tampered = Uint8Array.from(body);
      tampered[i] = tampered[i]! ^ 0x01;
      expect(signer.verify({ body: tampered, headers }).valid, `byte ${i}`).toBe(false);
    }
  });

  it('changing any one digit of the timestamp fails', () => {
    for (let i = 0; i < vector.timestamp.length; i++) {
      const digit = vector.timestamp[i]!;
      const timestamp = vector.timestamp.slice(0, i) + (digit === '9' ? '8' : String(Number(digit) + 1)) + vector.timestamp.slice(i + 1);
      const changed = new Headers(headers);
      changed.set('ti-timestamp', timestamp);
      expect(signer.verify({ body, headers: changed }), `digit ${i}`).toMatchObject({ valid: false, reason: 'mismatch' });
    }
  });

  it('changing any one hex digit of the signature fails', () => {
    for (let i = 0; i < 64; i++) {
      const sign = vector.signature.value;
      const changed = new Headers(headers);
      changed.set('ti-signature', sign.slice(0, i) + (sign[i] === 'a' ? 'b' : 'a') + sign.slice(i + 1));
      expect(signer.verify({ body, headers: changed }), `digit ${i}`).toMatchObject({ valid: false, reason: 'mismatch' });
    }
  });

  it('another AppKey fails', () => {
    const other = createTipaySigner({ appId, appKey: `${appKey.slice(0, -1)}0`, clock: () => 0 });
    expect(other.verify({ body, headers })).toMatchObject({ valid: false, reason: 'mismatch' });
  });

  it.each([
    ['no ti-signature', { 'ti-timestamp': vector.timestamp }, 'missing-signature'],
    ['a short ti-signature', { 'ti-timestamp': vector.timestamp, 'ti-signature': 'abc' }, 'malformed-signature'],
    ['a non-hex ti-signature', { 'ti-timestamp': vector.timestamp, 'ti-signature': 'g'.repeat(64) }, 'malformed-signature'],
    ['no ti-timestamp', { 'ti-signature': vector.signature.value }, 'malformed-payload'],
  ])('%s is a failed verification, not a throw', (_name, record, reason) => {
    expect(signer.verify({ body, headers: record })).toMatchObject({ valid: false, reason });
  });

  it('a body that is neither text nor bytes is a failed verification', () => {
    expect(signer.verify({ body: 42 as unknown as string, headers })).toMatchObject({ valid: false, reason: 'malformed-payload' });
  });

  it('maxAgeMs: a fresh timestamp passes, a stale or non-numeric one fails', () => {
    const sent = Number(vector.timestamp);
    expect(signerAt(sent + 60_000).verify({ body, headers, maxAgeMs: 60_000 })).toEqual({ valid: true });
    expect(signerAt(sent - 60_000).verify({ body, headers, maxAgeMs: 60_000 })).toEqual({ valid: true });
    expect(signerAt(sent + 60_001).verify({ body, headers, maxAgeMs: 60_000 })).toMatchObject({ valid: false, reason: 'stale-timestamp' });
    const odd = signerAt(0);
    const oddSignature = tipaySignature(body, 'soon', appKey);
    expect(odd.verify({ body, headers: { 'ti-timestamp': 'soon', 'ti-signature': oddSignature } })).toEqual({ valid: true });
    expect(odd.verify({ body, headers: { 'ti-timestamp': 'soon', 'ti-signature': oddSignature }, maxAgeMs: 1e12 })).toMatchObject({
      valid: false,
      reason: 'stale-timestamp',
    });
  });
});
