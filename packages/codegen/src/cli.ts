import { generateProvider } from './generate.js';
import { generateRegistry } from './registry/generate-registry.js';
import { findRepoRoot } from './repo-root.js';

const USAGE = [
  'usage: refundkit-codegen <provider>    (writes generated/<provider>/ from specs/<provider>/)',
  '       refundkit-codegen --registry    (writes generated/registry/, the provider registry, from every folder of specs/)',
].join('\n');

/** `refundkit-codegen <provider>`: run by each generated package's `generate` script. */
export async function main(argv: readonly string[]): Promise<number> {
  const [provider, ...rest] = argv;
  if (!provider || rest.length > 0 || provider === '--help') {
    console.error(USAGE);
    return provider === '--help' ? 0 : 1;
  }
  const root = findRepoRoot(process.cwd());
  const registry = provider === '--registry';
  const { written, removed } = registry ? generateRegistry(root) : await generateProvider(root, provider);
  const changes = [...written.map((f) => `wrote ${f}`), ...removed.map((f) => `removed ${f}`)];
  console.log(`generated/${registry ? 'registry' : provider}: ${changes.length === 0 ? 'up to date' : changes.join(', ')}`);
  return 0;
}
