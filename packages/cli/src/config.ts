import { resolve } from 'node:path';
import { isPostgresUrl } from '@refundkit/refunds';
import { readBoundedFile, UnreadableFileError, MAX_INPUT_FILE_BYTES } from './bounded-file.js';
import { ConfigFileError } from './config-error.js';

/**
 * `refundkit.config.json`: `{ "providers": { "<key>": {...} }, "ledger"?: "path or postgres:// URL" }`;
 * a provider's block is one account's settings or `{ "accounts": { "<name>": {...} }, "default"?: "<name>" }`.
 */
export interface CliConfig {
  readonly providers: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly ledger?: string;
  /** `refundkit batch`'s limits (`{ "concurrency": 16, "limits": { "<provider>": { "concurrency", "perSecond", "onePerOrder" } } }`), checked by that command. */
  readonly batch?: unknown;
}

/** How deep a config value may nest: real ones are three levels; this bounds the recursion below. */
const MAX_CONFIG_DEPTH = 32;

/** What an environment variable's name may be (POSIX portable names). */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replaces every `{"env": "VAR"}` value with the variable's value, so secrets stay out of the
 * file. Only the environment's own properties count (`{"env": "toString"}` or `"__proto__"` never
 * reach an inherited value), and the value must be a non-empty string; otherwise a
 * {@link ConfigFileError} names the setting and the variable, never a value.
 *
 * @example
 * resolveEnvRefs({ appKey: { env: 'TIPAY_APP_KEY' } }, { TIPAY_APP_KEY: 'k' }) // { appKey: 'k' }
 */
export function resolveEnvRefs(value: unknown, env: Readonly<Record<string, string | undefined>>, path = '', depth = 0): unknown {
  if (depth > MAX_CONFIG_DEPTH) throw new ConfigFileError(path, `nested deeper than ${MAX_CONFIG_DEPTH} levels`);
  if (Array.isArray(value)) return value.map((v, i) => resolveEnvRefs(v, env, `${path}[${i}]`, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && keys[0] === 'env') {
    const name = record['env'];
    if (typeof name !== 'string' || !ENV_NAME.test(name)) {
      throw new ConfigFileError(path, '{"env": ...} takes the name of an environment variable (letters, digits and _)');
    }
    const resolved = Object.hasOwn(env, name) ? env[name] : undefined;
    if (typeof resolved !== 'string') throw new ConfigFileError(path, `environment variable ${name} is not set`);
    if (resolved === '') throw new ConfigFileError(path, `environment variable ${name} is set but empty`);
    return resolved;
  }
  return Object.fromEntries(keys.map((k) => [k, resolveEnvRefs(record[k], env, path ? `${path}.${k}` : k, depth + 1)]));
}

/**
 * Every `...File` setting resolved against `base`, at any depth: a block's own (`privateKeyFile`),
 * each account's (`accounts.shopA.privateKeyFile`), each key of a roll (`easypayPublicKeys[0].keyFile`).
 * The depth is bounded by {@link resolveEnvRefs}, which ran first.
 */
function withFilesFrom(base: string, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => withFilesFrom(base, v));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k.endsWith('File') && typeof v === 'string' ? resolve(base, v) : withFilesFrom(base, v)]));
}

/**
 * Reads and checks a config file; relative key-file paths are resolved against the file's folder.
 * With `provider`, only that provider's entry is kept (and its `{"env": ...}` values read), so a
 * variable another provider's entry names need not be set. The file must be a regular file of at
 * most 1 MiB, checked before it is read (`--config /dev/zero` reads nothing).
 */
export function loadConfig(file: string, env: Readonly<Record<string, string | undefined>>, cwd: string, provider?: string): CliConfig {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = readBoundedFile(path, MAX_INPUT_FILE_BYTES).toString('utf8');
  } catch (error) {
    if (error instanceof UnreadableFileError) throw new ConfigFileError('', `cannot read config ${file}: ${error.message}`);
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // JSON.parse quotes the text around the fault, which may be a secret: say only where it is.
    const at = /position (\d+)/.exec((error as Error).message)?.[1];
    const where = at === undefined ? '' : ` (line ${text.slice(0, Number(at)).split('\n').length})`;
    throw new ConfigFileError('', `config ${file} is not valid JSON${where}`);
  }
  const raw = parsed as Partial<Record<'providers' | 'ledger' | 'batch', unknown>> | null;
  if (!raw || typeof raw !== 'object' || typeof raw.providers !== 'object' || raw.providers === null) {
    throw new ConfigFileError('', `config ${file} must be {"providers": {...}}`);
  }
  const selected = Object.entries(raw.providers as Record<string, unknown>).filter(([key]) => provider === undefined || key === provider);
  const config = resolveEnvRefs({ providers: Object.fromEntries(selected), ledger: raw.ledger }, env) as Partial<CliConfig>;
  const base = resolve(path, '..');
  const providers = Object.fromEntries(
    Object.entries(config.providers ?? {}).map(([key, value]) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ConfigFileError(`providers.${key}`, 'must be an object of settings');
      return [key, withFilesFrom(base, value) as Record<string, unknown>];
    }),
  );
  // A ledger file is relative to the config file; a postgres:// URL is taken as it is.
  const ledger = typeof config.ledger === 'string' ? (isPostgresUrl(config.ledger) ? config.ledger : resolve(base, config.ledger)) : undefined;
  return { providers, ...(ledger !== undefined ? { ledger } : {}), ...(raw.batch !== undefined ? { batch: raw.batch } : {}) };
}
