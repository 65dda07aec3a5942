import { Console } from 'node:console';
import { Writable } from 'node:stream';
import util from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  KeyFormatError,
  Secret,
  createEasypaySigner,
  createEftpaySigner,
  createTipaySigner,
  loadPrivateKey,
  revealSecret,
} from '../src/index.js';
import { keys } from './support.js';

const VALUE = 'sk_live_THIS-MUST-NEVER-BE-PRINTED';

/** Everything a real console.log would write, through a real Console. */
function consoleOutput(...args: unknown[]): string {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out += chunk.toString('utf8');
      done();
    },
  });
  const console = new Console({ stdout: sink, stderr: sink });
  console.log(...args);
  console.error(...args);
  console.dir(args, { depth: 10, showHidden: true });
  console.table([{ args }]);
  return out;
}

describe('Secret', () => {
  const secret = new Secret(VALUE);

  it('reveals the value only through reveal()', () => {
    expect(secret.reveal()).toBe(VALUE);
    expect(revealSecret(secret)).toBe(VALUE);
    expect(revealSecret('plain')).toBe('plain');
  });

  it('prints as [redacted] through console.log/error/dir/table', () => {
    const out = consoleOutput(secret, { key: secret }, [secret], `${secret}`);
    expect(out).toContain('[redacted]');
    expect(out).not.toContain(VALUE);
  });

  it('is [redacted] in String(), template literals, concatenation and JSON.stringify', () => {
    expect(String(secret)).toBe('[redacted]');
    expect(`${secret}`).toBe('[redacted]');
    expect('' + secret).toBe('[redacted]');
    expect(secret.toString()).toBe('[redacted]');
    expect(JSON.stringify(secret)).toBe('"[redacted]"');
    expect(JSON.stringify({ nested: { appKey: secret } })).toBe('{"nested":{"appKey":"[redacted]"}}');
  });

  it('is [redacted] in util.inspect (showHidden, any depth) and util.format', () => {
    expect(util.inspect(secret)).toBe('[redacted]');
    const deep = util.inspect({ a: { b: { c: { secret } } } }, { depth: Infinity, showHidden: true, getters: true });
    expect(deep).toContain('[redacted]');
    expect(deep).not.toContain(VALUE);
    const formatted = util.format('%s %o %O %j %d', secret, secret, secret, secret, secret);
    expect(formatted).not.toContain(VALUE);
    expect(formatted).toContain('[redacted]');
  });

  it('exposes no own properties and survives structuredClone without its value', () => {
    expect(Object.keys(secret)).toEqual([]);
    expect(Object.getOwnPropertyNames(secret)).toEqual([]);
    expect(Object.entries({ ...secret })).toEqual([]);
    const cloned: unknown = structuredClone({ secret });
    expect(util.inspect(cloned, { showHidden: true, depth: Infinity })).not.toContain(VALUE);
    expect(JSON.stringify(cloned)).not.toContain(VALUE);
  });

  it('interpolated into an error message, stays redacted', () => {
    const error = new Error(`bad key ${secret}`);
    expect(error.message).toBe('bad key [redacted]');
    expect(util.inspect(error)).not.toContain(VALUE);
  });
});

describe('errors never contain key material or secrets', () => {
  const marker = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC';
  const brokenPem = `-----BEGIN PRIVATE KEY-----\n${marker}SECRETSECRETSECRET\n-----END PRIVATE KEY-----\n`;

  function everythingPrinted(error: unknown): string {
    return [String(error), (error as Error).stack, util.inspect(error, { showHidden: true, depth: Infinity }), JSON.stringify(error)].join('\n');
  }

  it('an unparseable private key (plain or Secret)', () => {
    for (const input of [brokenPem, new Secret(brokenPem)]) {
      let thrown: unknown;
      try {
        loadPrivateKey(input);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(KeyFormatError);
      const printed = everythingPrinted(thrown);
      expect(printed).not.toContain(marker);
      expect(printed).not.toContain('SECRETSECRET');
      expect((thrown as Error).cause).toBeUndefined();
    }
  });

  it('a real private key passed where a public key is expected', () => {
    let thrown: unknown;
    try {
      createEasypaySigner({ easypayPublicKey: keys.privatePkcs8 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(KeyFormatError);
    const body = keys.privatePkcs8.split('\n').find((line) => line.length === 64);
    expect(body).toBeDefined();
    expect(everythingPrinted(thrown)).not.toContain(body);
  });

  it('a Buffer of key bytes given instead of a string', () => {
    let thrown: unknown;
    try {
      loadPrivateKey(Buffer.from(VALUE) as unknown as string);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(KeyFormatError);
    expect(everythingPrinted(thrown)).not.toContain(VALUE);
    expect(everythingPrinted(thrown)).not.toContain(Buffer.from(VALUE).toString('hex').slice(0, 16));
  });

  it('eftpay and tipay errors and results', () => {
    const eftpay = createEftpaySigner({ secretCode: new Secret(VALUE) });
    let thrown: unknown;
    try {
      eftpay.signRequest({ a: 'x', b: '' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeDefined();
    expect(everythingPrinted(thrown)).not.toContain(VALUE);
    expect(JSON.stringify(eftpay.verify({ a: 'x', sign: '0'.repeat(64) }))).not.toContain(VALUE);

    const tipay = createTipaySigner({ appId: 'app', appKey: new Secret(VALUE), clock: () => 1.5 });
    try {
      tipay.signRequest({ method: 'POST', url: 'https://x/', body: '{}' });
      expect.unreachable();
    } catch (error) {
      expect(everythingPrinted(error)).not.toContain(VALUE);
    }
    expect(util.inspect(tipay, { showHidden: true, depth: Infinity })).not.toContain(VALUE);
    expect(util.inspect(eftpay, { showHidden: true, depth: Infinity })).not.toContain(VALUE);
  });
});
