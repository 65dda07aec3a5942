import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderProvider, renderRegistry } from '@refundkit/codegen';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const providers = readdirSync(join(root, 'specs'));

/** CI also runs `git diff --exit-code generated/` after generation; this fails earlier, with the file's name. */
describe.each(providers)('generated/%s', (provider) => {
  it('is exactly what the generator makes of specs/ (no hand edits, nothing stale)', async () => {
    const files = await renderProvider(root, provider);
    expect(Object.keys(files).length).toBeGreaterThan(5);
    for (const [path, content] of Object.entries(files)) {
      expect(readFileSync(join(root, 'generated', provider, path), 'utf8'), `generated/${provider}/${path}`).toBe(content);
    }
  });
});

describe('generated/registry', () => {
  it('is exactly what the generator makes of every folder of specs/', () => {
    const files = renderRegistry(root);
    expect(Object.keys(files)).toContain('src/registry.ts');
    for (const [path, content] of Object.entries(files)) {
      expect(readFileSync(join(root, 'generated', 'registry', path), 'utf8'), `generated/registry/${path}`).toBe(content);
    }
  });
});
