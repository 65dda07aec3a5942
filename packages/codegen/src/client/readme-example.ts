import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** One entry of a spec's `examples/examples.yaml` (the fields the README generators read). */
export interface ExampleEntry {
  readonly file: string;
  readonly message: string;
  readonly valid: boolean;
  /** Marked as the generated README's example: a request the sandbox accepts (DEVELOPERS.md, "Examples"). */
  readonly readme?: boolean;
}

/**
 * The README's example of `message` among `entries` with a file ending in `extension`: the valid one
 * marked `readme: true` (a request the sandbox accepts), else the first valid one.
 */
export function readmeEntry(entries: readonly ExampleEntry[], message: string, extension: string): ExampleEntry | undefined {
  const candidates = entries.filter((e) => e.valid && e.message === message && e.file.endsWith(extension));
  return candidates.find((e) => e.readme === true) ?? candidates[0];
}

/** Whether the spec marks a README example (`readme: true`): one built to be accepted by the sandbox. */
export function hasSandboxReadmeExample(specDir: string): boolean {
  const manifest = join(specDir, 'examples', 'examples.yaml');
  return existsSync(manifest) && (parse(readFileSync(manifest, 'utf8')) as ExampleEntry[]).some((e) => e.valid && e.readme === true);
}

/** Said under a README example marked `readme: true`. */
export const SANDBOX_EXAMPLE_NOTE =
  "The example's values are the sandbox's test merchant and one of its paid orders (`refundkit sandbox`):\npoint `baseUrl` (and any secret) at the sandbox to send it as printed.";

/** The README's documented example of a message (`examples/examples.yaml`, see `readmeEntry`), if the spec has one. */
export function documentedExample(specDir: string, message: string): Record<string, unknown> | undefined {
  const manifest = join(specDir, 'examples', 'examples.yaml');
  if (!existsSync(manifest)) return undefined;
  const entries = parse(readFileSync(manifest, 'utf8')) as ExampleEntry[];
  const entry = readmeEntry(entries, message, '.json');
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
  /** The input is the spec's `readme: true` example, which the sandbox accepts. */
  readonly sandboxExample?: boolean;
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
    ...(e.sandboxExample === true ? [SANDBOX_EXAMPLE_NOTE, ''] : []),
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
