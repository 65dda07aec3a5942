import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isPostgresUrl } from '@refundkit/refunds';
import { UsageError } from './io.js';

/** `refundkit.config.json`: `{ "providers": { "<key>": {...} }, "ledger"?: "path or postgres:// URL" }`. */
export interface CliConfig {
  readonly providers: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly ledger?: string;
}

/**
 * Replaces every `{"env": "VAR"}` value with the variable's value, so secrets stay out of the
 * file. A missing variable is an error naming the variable (never its would-be value).
 *
 * @example
 * resolveEnvRefs({ appKey: { env: 'TIPAY_APP_KEY' } }, { TIPAY_APP_KEY: 'k' }) // { appKey: 'k' }
 */
export function resolveEnvRefs(value: unknown, env: Readonly<Record<string, string | undefined>>, path = ''): unknown {
  if (Array.isArray(value)) return value.map((v, i) => resolveEnvRefs(v, env, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && keys[0] === 'env') {
    const name = record['env'];
    if (typeof name !== 'string') throw new UsageError(`${path}: {"env": ...} takes a variable name`);
    const resolved = env[name];
    if (resolved === undefined || resolved === '') throw new UsageError(`${path} reads environment variable ${name}, which is not set`);
    return resolved;
  }
  return Object.fromEntries(keys.map((k) => [k, resolveEnvRefs(record[k], env, path ? `${path}.${k}` : k)]));
}

/**
 * Reads and checks a config file; relative key-file paths are resolved against the file's folder.
 * With `provider`, only that provider's entry is kept (and its `{"env": ...}` values read), so a
 * variable another provider's entry names need not be set.
 */
export function loadConfig(file: string, env: Readonly<Record<string, string | undefined>>, cwd: string, provider?: string): CliConfig {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read config ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // JSON.parse quotes the text around the fault, which may be a secret: say only where it is.
    const at = /position (\d+)/.exec((error as Error).message)?.[1];
    const where = at === undefined ? '' : ` (line ${text.slice(0, Number(at)).split('\n').length})`;
    throw new UsageError(`config ${file} is not valid JSON${where}`);
  }
  const raw = parsed as Partial<Record<'providers' | 'ledger', unknown>> | null;
  if (!raw || typeof raw !== 'object' || typeof raw.providers !== 'object' || raw.providers === null) {
    throw new UsageError(`config ${file} must be {"providers": {...}}`);
  }
  const selected = Object.entries(raw.providers as Record<string, unknown>).filter(([key]) => provider === undefined || key === provider);
  const config = resolveEnvRefs({ providers: Object.fromEntries(selected), ledger: raw.ledger }, env) as Partial<CliConfig>;
  const base = resolve(path, '..');
  const providers = Object.fromEntries(
    Object.entries(config.providers ?? {}).map(([key, value]) => [
      key,
      Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k.endsWith('File') && typeof v === 'string' ? resolve(base, v) : v])),
    ]),
  );
  // A ledger file is relative to the config file; a postgres:// URL is taken as it is.
  const ledger = typeof config.ledger === 'string' ? (isPostgresUrl(config.ledger) ? config.ledger : resolve(base, config.ledger)) : undefined;
  return { providers, ...(ledger !== undefined ? { ledger } : {}) };
}
