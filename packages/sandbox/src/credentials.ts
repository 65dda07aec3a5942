/**
 * The sandbox's test credentials: what a merchant would be given by each provider, made up for
 * the sandbox. **None of it is secret and none of it works anywhere but here.**
 *
 * EasyPay needs two RSA-2048 key pairs (PROVIDERS.md, easypay "Signing"): the merchant's, whose
 * private key signs requests (`reqSign`) and whose public key the sandbox verifies them with; and
 * EasyPay's, whose private key the sandbox signs answers (`rspSign`) and notifications with and
 * whose public key the merchant verifies them with. By default these are the fixed test keys
 * shipped in `keys/` (so shell examples can sign with `openssl` and the files); `keys: 'generate'`
 * makes fresh pairs at start.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface EasypayCredentials {
  /** `reqBody.reqInfo.mchtCode`. */
  readonly mchtCode: string;
  /** Signs requests (PKCS#8 PEM). A test key. */
  readonly merchantPrivateKeyPem: string;
  /** The sandbox verifies `reqSign` with it (SPKI PEM). */
  readonly merchantPublicKeyPem: string;
  /** Verifies the sandbox's `rspSign` and notification `reqSign` (SPKI PEM). */
  readonly easypayPublicKeyPem: string;
  /** Files holding the merchant's test key pair, for `openssl dgst -sign` (fixed keys only). */
  readonly merchantPrivateKeyPath?: string | undefined;
  readonly easypayPublicKeyPath?: string | undefined;
}

export interface SandboxCredentials {
  readonly easypay: EasypayCredentials;
  /**
   * `user_confirm_key` (String(12)) and the secret code of the `sign` digest (requests are checked
   * with it, answers signed with it); `acceptedSecretCodes`: others requests may be signed with, as
   * while eftPay rolls its key.
   */
  readonly eftpay: { readonly userConfirmKey: string; readonly secretCode: string; readonly acceptedSecretCodes?: readonly string[] | undefined };
  /** `store_no` the sandbox knows; any `operator` is accepted. */
  readonly lianke: { readonly storeNo: string; readonly operator: string };
  /**
   * `ti-appid`, the AppKey of `ti-signature`, and the `merchantNo` of requests; `acceptedAppKeys`:
   * other AppKeys requests may be signed with, as while Ti-Pay rolls the merchant's key.
   */
  readonly tipay: { readonly appId: string; readonly appKey: string; readonly merchantNo: string; readonly acceptedAppKeys?: readonly string[] | undefined };
  /** The yima request header's `isspid` (String(8)) and `system_id` (String(4)), and a terminal. */
  readonly yima: { readonly isspid: string; readonly systemId: string; readonly posId: string; readonly storeId: string };
}

/** EasyPay's side: the key pair of "EasyPay" that only the sandbox holds the private half of. */
export interface EasypayServerKeys {
  readonly easypayPrivateKeyPem: string;
}

export type KeySource = 'fixed' | 'generate';

/**
 * Credentials other than the built-in ones, per provider, merged over them: another merchant (a
 * second sandbox as a second account: another `merchantNo` and `appKey`), or a key roll in
 * progress (`acceptedAppKeys`, `acceptedSecretCodes`). easypay's keys come from `keys`.
 */
export interface CredentialOverrides {
  readonly easypay?: { readonly mchtCode?: string | undefined } | undefined;
  readonly eftpay?: Partial<SandboxCredentials['eftpay']> | undefined;
  readonly lianke?: Partial<SandboxCredentials['lianke']> | undefined;
  readonly tipay?: Partial<SandboxCredentials['tipay']> | undefined;
  readonly yima?: Partial<SandboxCredentials['yima']> | undefined;
}

const KEY_DIR = new URL('../keys/', import.meta.url);

export function sandboxCredentials(keys: KeySource, overrides: CredentialOverrides = {}): { credentials: SandboxCredentials; server: EasypayServerKeys } {
  const pairs = keys === 'generate' ? generatedPairs() : fixedPairs();
  return {
    credentials: {
      easypay: { mchtCode: '531000000000001', ...pairs.merchant, ...overrides.easypay },
      eftpay: { userConfirmKey: 'SBX000000001', secretCode: 'sandbox-eftpay-secret-0001', ...overrides.eftpay },
      lianke: { storeNo: 'SBX-STORE-01', operator: 'sandbox', ...overrides.lianke },
      tipay: { appId: 'tichain-sandbox', appKey: 'sandbox-tipay-appkey-0001', merchantNo: '10000000001', ...overrides.tipay },
      yima: { isspid: 'SBX00001', systemId: '9999', posId: 'SBXPOS0001', storeId: 'SBXSTORE01', ...overrides.yima },
    },
    server: { easypayPrivateKeyPem: pairs.easypayPrivateKeyPem },
  };
}

interface Pairs {
  readonly merchant: Omit<EasypayCredentials, 'mchtCode'>;
  readonly easypayPrivateKeyPem: string;
}

let fixed: Pairs | undefined;

function fixedPairs(): Pairs {
  if (fixed === undefined) {
    const path = (name: string): string => fileURLToPath(new URL(name, KEY_DIR));
    const read = (name: string): string => readFileSync(path(name), 'utf8');
    fixed = {
      merchant: {
        merchantPrivateKeyPem: read('test-merchant-private.pem'),
        merchantPublicKeyPem: read('test-merchant-public.pem'),
        easypayPublicKeyPem: read('test-easypay-public.pem'),
        merchantPrivateKeyPath: path('test-merchant-private.pem'),
        easypayPublicKeyPath: path('test-easypay-public.pem'),
      },
      easypayPrivateKeyPem: read('test-easypay-private.pem'),
    };
  }
  return fixed;
}

function generatedPairs(): Pairs {
  const pair = (): { privateKey: string; publicKey: string } =>
    generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
  const merchant = pair();
  const easypay = pair();
  return {
    merchant: {
      merchantPrivateKeyPem: merchant.privateKey,
      merchantPublicKeyPem: merchant.publicKey,
      easypayPublicKeyPem: easypay.publicKey,
    },
    easypayPrivateKeyPem: easypay.privateKey,
  };
}
