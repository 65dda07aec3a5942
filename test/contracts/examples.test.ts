import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '@refundkit/runtime';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/** One entry of `specs/<provider>/examples/examples.yaml` (DEVELOPERS.md, "Examples"). */
interface ExampleEntry {
  file: string;
  message: string;
  valid: boolean;
  source: string;
  rejects?: string;
  corrections?: string;
}

/** What every generated provider package exports for contract checks. */
interface ProviderPackage {
  messageNames: readonly string[];
  validateMessage(name: string, value: unknown): unknown;
  decodeMessage?: (bytes: Uint8Array) => unknown;
}

const specs = join(import.meta.dirname, '../../specs');
const providers = readdirSync(specs, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

function manifest(provider: string): ExampleEntry[] {
  return parse(readFileSync(join(specs, provider, 'examples/examples.yaml'), 'utf8')) as ExampleEntry[];
}

/** Reads an example the way a client would receive it: JSON text, or GBK XML bytes through the generated codec. */
function decode(pkg: ProviderPackage, file: string): unknown {
  const bytes = readFileSync(file);
  if (file.endsWith('.json')) return JSON.parse(bytes.toString('utf8'));
  if (file.endsWith('.xml') && pkg.decodeMessage) return pkg.decodeMessage(bytes);
  throw new Error(`no decoder for ${file}`);
}

/** The validation error an example raises, from decoding or from the contract, or undefined. */
function rejection(pkg: ProviderPackage, entry: ExampleEntry, file: string): ValidationError | undefined {
  try {
    pkg.validateMessage(entry.message, decode(pkg, file));
    return undefined;
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
}

it('finds the five providers', () => {
  expect(providers.sort()).toEqual(['easypay', 'eftpay', 'lianke', 'tipay', 'yima']);
});

describe.each(providers)('%s examples', (provider) => {
  const entries = manifest(provider);
  const load = async (): Promise<ProviderPackage> => (await import(`@refundkit/${provider}`)) as ProviderPackage;

  it('lists every example file in the manifest, each once, and the seed has request and response examples', () => {
    const files = readdirSync(join(specs, provider, 'examples')).filter((f) => f !== 'examples.yaml').sort();
    expect(entries.map((e) => e.file).sort()).toEqual(files);
    expect(entries.some((e) => e.valid && e.message === 'refund.request')).toBe(true);
    expect(entries.some((e) => e.valid && e.message === 'refund.response')).toBe(true);
  });

  it('names only messages the contract declares, and every negative names the field it must be rejected for', async () => {
    const pkg = await load();
    for (const entry of entries) {
      expect(pkg.messageNames, entry.file).toContain(entry.message);
      expect(typeof entry.source, entry.file).toBe('string');
      if (!entry.valid) expect(entry.rejects, entry.file).toMatch(/\w/);
    }
  });

  it.each(entries.map((e) => [e.file, e] as const))('%s', async (_file, entry) => {
    const pkg = await load();
    const error = rejection(pkg, entry, join(specs, provider, 'examples', entry.file));
    if (entry.valid) {
      expect(error?.issues ?? [], entry.file).toEqual([]);
    } else {
      expect(error, `${entry.file} must be rejected`).toBeInstanceOf(ValidationError);
      const paths = error!.issues.map((i) => i.path);
      expect(paths.some((p) => p === entry.rejects || p.endsWith(`.${entry.rejects}`) || p.split(/[.[]/).includes(entry.rejects!)), `${entry.file}: ${paths.join(', ')}`).toBe(true);
      expect(error!.message).toContain(entry.rejects);
    }
  });
});
