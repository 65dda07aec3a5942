import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret } from '@refundkit/signing';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, createRefunds, RefundkitError } from '../src/index.js';
import { CONFIGS } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'refundkit-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The ConfigError `createRefunds` throws for `providers` (plain JS: the types would refuse most of these). */
function configError(providers: unknown, fetch?: () => Promise<Response>): ConfigError {
  try {
    createRefunds({ providers: providers as never, ...(fetch ? { fetch } : {}) });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toBeInstanceOf(RefundkitError);
    return error as ConfigError;
  }
  throw new Error('createRefunds accepted the configuration');
}

describe('createRefunds checks every provider block at once', () => {
  it('lists every problem of every block, with its path, in one ConfigError', () => {
    const error = configError({
      tipay: { baseUrl: 'api.tipay.tianhecloud.com', appId: 'tichain000000', appKey: new Secret(undefined as unknown as string) },
      eftpay: { ...CONFIGS.eftpay, currency: 'USD', secretCode: '' },
      lianke: { storeNo: 'STORE-01', operator: 'cashier-1', baseUrl: 'ftp://lianke.example.com' },
      paypal: { baseUrl: 'https://paypal.example.com' },
    });
    expect(error.issues).toEqual([
      { path: 'providers.tipay.baseUrl', message: 'must be an absolute http(s) URL' },
      { path: 'providers.tipay.appKey', message: 'resolves to nothing (is the environment variable set?)' },
      { path: 'providers.tipay.merchantNo', message: 'required' },
      { path: 'providers.eftpay.secretCode', message: 'resolves to nothing (is the environment variable set?)' },
      { path: 'providers.eftpay.currency', message: 'must be one of HKD, CNY' },
      { path: 'providers.lianke.baseUrl', message: 'must be an absolute http(s) URL (scheme ftp: is not supported)' },
      { path: 'providers.paypal', message: 'unknown provider (refundkit knows easypay, eftpay, lianke, tipay, yima)' },
    ]);
    expect(error.code).toBe('config_invalid');
    expect(error.provider).toBeUndefined();
    for (const issue of error.issues) expect(error.message).toContain(`${issue.path}: ${issue.message}`);
  });

  it('refuses a misspelt setting by name, and a missing baseUrl as required (never a raw TypeError)', () => {
    const error = configError({ yima: { ...CONFIGS.yima, baseUrl: undefined, posid: '1' } });
    expect(error.issues).toEqual([
      { path: 'providers.yima.posid', message: expect.stringMatching(/^unknown setting \(known: baseUrl, isspid, systemId, posId, /) },
      { path: 'providers.yima.baseUrl', message: 'required' },
    ]);
    expect(error.provider).toBe('yima');
  });

  it('refuses an unreadable key file, and an inline key that is no PEM, without quoting the key', () => {
    const notAFile = join(dir, 'missing.pem');
    const error = configError({ easypay: { ...CONFIGS.easypay, privateKeyFile: undefined, privateKey: 'not-a-pem-SECRETISH', easypayPublicKeyFile: notAFile } });
    expect(error.issues).toEqual([
      { path: 'providers.easypay.privateKey', message: 'must be a PEM private key (-----BEGIN ... PRIVATE KEY-----), a Secret of one, or a KeyObject' },
      { path: 'providers.easypay.easypayPublicKeyFile', message: `${JSON.stringify(notAFile)} cannot be read (ENOENT)` },
    ]);
    expect(error.message).not.toContain('SECRETISH');
    expect(configError({ easypay: { ...CONFIGS.easypay, privateKeyFile: dir } }).issues).toEqual([{ path: 'providers.easypay.privateKeyFile', message: `${JSON.stringify(dir)} is not a regular file` }]);
  });

  it('refuses an empty or absent providers object', () => {
    expect(configError({}).issues).toEqual([{ path: 'providers', message: 'configure at least one provider (easypay, eftpay, lianke, tipay, yima)' }]);
    expect(configError(undefined).issues).toEqual([{ path: 'providers', message: 'must be an object with one block per provider' }]);
  });

  it('sends nothing: the fetch is never called', () => {
    let sent = 0;
    configError({ tipay: { ...CONFIGS.tipay, merchantNo: '' } }, async () => ((sent += 1), new Response('{}')));
    expect(sent).toBe(0);
  });

  it('accepts every test configuration as it is', () => {
    for (const [provider, config] of Object.entries(CONFIGS)) expect(() => createRefunds({ providers: { [provider]: config } as never })).not.toThrow();
  });

  it('keeps the one-problem constructor: ConfigError(provider, detail)', () => {
    const error = new ConfigError('tipay', 'appKey cannot be parsed');
    expect(error.message).toBe('tipay configuration: appKey cannot be parsed');
    expect(error.issues).toEqual([{ path: 'providers.tipay', message: 'appKey cannot be parsed' }]);
  });
});
