import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** The first valid documented example of a message (`examples/examples.yaml`), if the spec has one. */
export function documentedExample(specDir: string, message: string): Record<string, unknown> | undefined {
  const manifest = join(specDir, 'examples', 'examples.yaml');
  if (!existsSync(manifest)) return undefined;
  const entries = parse(readFileSync(manifest, 'utf8')) as { file: string; message: string; valid: boolean }[];
  const entry = entries.find((e) => e.valid && e.message === message && e.file.endsWith('.json'));
  return entry ? (JSON.parse(readFileSync(join(specDir, 'examples', entry.file), 'utf8')) as Record<string, unknown>) : undefined;
}

export interface ReadmeExampleInput {
  readonly provider: string;
  readonly typeName: string;
  readonly baseUrl: string;
  /** Extra import lines (keys, Secret). */
  readonly imports: readonly string[];
  readonly optionLines: readonly string[];
  /** The refund input, as code. */
  readonly input: string;
}

/** The README's short example: create the client, refund, read the typed answer. */
export function clientReadmeExample(e: ReadmeExampleInput): string {
  return [
    '## Client',
    '',
    '```ts',
    `import { create${e.typeName}Client } from '@refundkit/${e.provider}';`,
    ...e.imports,
    '',
    `const ${e.provider} = create${e.typeName}Client({`,
    `  baseUrl: ${JSON.stringify(e.baseUrl)},`,
    ...e.optionLines.map((l) => `  ${l}`),
    '});',
    `const { data, rawBody } = await ${e.provider}.refund(${e.input});`,
    '```',
    '',
    'The input is validated before anything is sent (`ValidationError` names each field); the answer is',
    'returned only once its signature (where the provider signs) and its schema check out. Transport',
    'faults are typed (`TimeoutError`, `ConnectionError`, `HttpStatusError`) and say whether the request',
    'may have reached the provider; nothing is retried here. An accepted answer is not a refunded one:',
    'read the status the contract names, or query.',
    '',
    'Each operation also comes in two halves, for a caller that records the request before it goes out:',
    `\`${e.provider}.prepareRefund(input)\` completes, validates, signs and encodes it once, with no I/O, and`,
    `\`${e.provider}.sendRefund(prepared)\` sends exactly that; \`refund(input)\` does both.`,
    '',
  ].join('\n');
}
