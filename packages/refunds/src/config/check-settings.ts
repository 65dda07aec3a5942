// Checks values against `SettingRule`s without loading @refundkit/signing or any provider's
// package: importing the facade stays cheap (issue #7), so a `Secret` and a `KeyObject` are
// recognised by shape (`reveal()`; `type`/`export()`), not by class.
import { accessSync, constants, statSync } from 'node:fs';
import type { ConfigIssue, ConfigRules, SettingRule } from './config-rules.js';

/** A `Secret` from @refundkit/signing, or anything else that hides its value behind `reveal()`. */
function revealed(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { reveal?: unknown }).reveal === 'function') {
    return (value as { reveal(): unknown }).reveal();
  }
  return value;
}

const isKeyObject = (value: unknown): boolean =>
  value !== null && typeof value === 'object' && typeof (value as { export?: unknown }).export === 'function' && typeof (value as { type?: unknown }).type === 'string';

const looksLikePem = (text: string): boolean => /-----BEGIN [A-Z0-9 ]+-----/.test(text);

function urlProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be an absolute http(s) URL';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `must be an absolute http(s) URL (scheme ${url.protocol} is not supported)`;
  return undefined;
}

function fileProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return 'must be the path of a readable file';
  try {
    if (!statSync(value).isFile()) return `${JSON.stringify(value)} is not a regular file`;
    accessSync(value, constants.R_OK);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return `${JSON.stringify(value)} cannot be read${typeof code === 'string' ? ` (${code})` : ''}`;
  }
  return undefined;
}

/** Why `value` breaks `rule`, or undefined. Never quotes a secret or key. */
export function settingProblem(rule: SettingRule, value: unknown): string | undefined {
  switch (rule.kind) {
    case 'string':
      return typeof value === 'string' && value !== '' ? undefined : 'must be a non-empty string';
    case 'url':
      return urlProblem(value);
    case 'secret': {
      const text = revealed(value);
      if (text === undefined || text === null || text === '') return 'resolves to nothing (is the environment variable set?)';
      return typeof text === 'string' ? undefined : 'must be a string or a Secret of one';
    }
    case 'privateKey': {
      if (isKeyObject(value)) return undefined;
      const text = revealed(value);
      if (text === undefined || text === null || text === '') return 'resolves to nothing (is the environment variable set?)';
      return typeof text === 'string' && looksLikePem(text) ? undefined : 'must be a PEM private key (-----BEGIN ... PRIVATE KEY-----), a Secret of one, or a KeyObject';
    }
    case 'publicKey':
      if (isKeyObject(value)) return undefined;
      return typeof value === 'string' && looksLikePem(value) ? undefined : 'must be a PEM public key or certificate, or a KeyObject';
    case 'file':
      return fileProblem(value);
    case 'function':
      return typeof value === 'function' ? undefined : 'must be a function';
    case 'enum': {
      const values = rule.values ?? [];
      return typeof value === 'string' && values.includes(value) ? undefined : `must be one of ${values.join(', ')}`;
    }
    case 'secrets':
    case 'publicKeys':
      return Array.isArray(value) && value.length > 0 ? undefined : 'must be a non-empty list';
  }
}

const PUBLIC_KEY_ENTRY = new Set(['certificateId', 'key', 'keyFile']);

/** The problems of each member of a list setting, at its index (`providers.tipay.previousAppKeys[1]`). */
function memberIssues(rule: SettingRule, list: readonly unknown[], at: string): ConfigIssue[] {
  return list.flatMap((member, index): ConfigIssue[] => {
    const path = `${at}[${index}]`;
    if (rule.kind === 'secrets') {
      const problem = settingProblem({ kind: 'secret' }, member);
      return problem ? [{ path, message: problem }] : [];
    }
    if (member === null || typeof member !== 'object' || Array.isArray(member)) return [{ path, message: 'must be { certificateId?, key } or { certificateId?, keyFile }' }];
    const entry = member as Record<string, unknown>;
    const issues: ConfigIssue[] = Object.keys(entry)
      .filter((key) => !PUBLIC_KEY_ENTRY.has(key))
      .map((key) => ({ path: `${path}.${key}`, message: 'unknown setting (known: certificateId, key, keyFile)' }));
    if (entry['certificateId'] !== undefined) {
      const problem = settingProblem({ kind: 'string' }, entry['certificateId']);
      if (problem) issues.push({ path: `${path}.certificateId`, message: problem });
    }
    if (entry['key'] !== undefined && entry['keyFile'] !== undefined) issues.push({ path: `${path}.keyFile`, message: 'give only one of key, keyFile' });
    else if (entry['key'] === undefined && entry['keyFile'] === undefined) issues.push({ path: `${path}.key`, message: `required (or ${path}.keyFile)` });
    else {
      const [name, kind] = entry['key'] !== undefined ? (['key', 'publicKey'] as const) : (['keyFile', 'file'] as const);
      const problem = settingProblem({ kind }, entry[name]);
      if (problem) issues.push({ path: `${path}.${name}`, message: problem });
    }
    return issues;
  });
}

/** Every problem of one provider's block, each with its path under `at` (`providers.tipay`). */
export function checkSettings(rules: ConfigRules<unknown>, block: unknown, at: string): ConfigIssue[] {
  if (block === null || typeof block !== 'object' || Array.isArray(block)) return [{ path: at, message: 'must be an object of settings' }];
  const values = block as Record<string, unknown>;
  const settings = rules.settings as Readonly<Record<string, SettingRule>>;
  const issues: ConfigIssue[] = [];
  for (const key of Object.keys(values)) {
    if (!Object.hasOwn(settings, key)) issues.push({ path: `${at}.${key}`, message: `unknown setting (known: ${Object.keys(settings).join(', ')})` });
  }
  const grouped = new Set((rules.oneOf ?? []).flat() as string[]);
  for (const [key, rule] of Object.entries(settings)) {
    const value = values[key];
    if (value === undefined) {
      if (rule.required && !grouped.has(key)) issues.push({ path: `${at}.${key}`, message: 'required' });
      continue;
    }
    const problem = settingProblem(rule, value);
    if (problem) issues.push({ path: `${at}.${key}`, message: problem });
    else if (rule.kind === 'secrets' || rule.kind === 'publicKeys') issues.push(...memberIssues(rule, value as readonly unknown[], `${at}.${key}`));
  }
  for (const group of rules.oneOf ?? []) {
    const given = group.filter((key) => values[key] !== undefined);
    if (given.length === 0) issues.push({ path: `${at}.${group[0]}`, message: `required (or ${group.slice(1).map((k) => `${at}.${k}`).join(', ')})` });
    if (given.length > 1) issues.push({ path: `${at}.${given[1]}`, message: `give only one of ${given.join(', ')}` });
  }
  return issues;
}
