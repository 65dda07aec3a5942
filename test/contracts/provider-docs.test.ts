import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROVIDERS, readInventory, repoRoot } from './field-inventory/inventory.js';
import { specNoteSites } from './provider-docs/spec-notes.js';

/**
 * `docs/providers/<provider>.md` lists every place its spec carries an assumption or correction
 * note, so a note added to (or removed from) a spec cannot go unmentioned in the provider's page;
 * `docs/providers/README.md` maps each provider document's number ("seed 000" in the notes) to its
 * provider.
 */
const docs = join(repoRoot, 'docs/providers');
const read = (file: string): string => readFileSync(join(docs, file), 'utf8');

/** The body of the section `## <title>` (up to the next `## `). */
function section(markdown: string, title: string): string {
  const start = markdown.indexOf(`\n## ${title}\n`);
  if (start < 0) return '';
  const rest = markdown.slice(start + title.length + 5);
  const end = rest.search(/\n## /);
  return end < 0 ? rest : rest.slice(0, end);
}

/** `| \`location\` | assumption | … |` rows of a page's note table, as `location kind`. */
export function listedNoteSites(markdown: string): string[] {
  return [...section(markdown, 'Assumptions and corrections').matchAll(/^\|\s*`([^`]+)`\s*\|\s*(assumption|correction)\s*\|/gm)].map((m) => `${m[1]} ${m[2]}`);
}

describe.each(PROVIDERS)('docs/providers/%s.md', (provider) => {
  const page = read(`${provider}.md`);

  it('lists every place its spec carries an assumption or correction note, and no other', () => {
    const inSpec = specNoteSites(join(repoRoot, 'specs', provider)).map((s) => `${s.location} ${s.kind}`);
    expect(inSpec.length).toBeGreaterThan(5);
    const listed = listedNoteSites(page);
    expect({ 'in the spec, not on the page': inSpec.filter((s) => !listed.includes(s)), 'on the page, not in the spec': listed.filter((s) => !inSpec.includes(s)) }).toEqual({
      'in the spec, not on the page': [],
      'on the page, not in the spec': [],
    });
  });

  it('points at its field inventory and its spec, and names its document', () => {
    expect(page).toContain(`(${provider}.fields.yaml)`);
    expect(page).toContain(`specs/${provider}/`);
    expect(page).toContain(`seed ${readInventory(provider).document}`);
  });
});

describe('docs/providers/README.md', () => {
  const readme = read('README.md');

  it.each(PROVIDERS)('maps the document number of %s to it, as its spec and inventory say', (provider) => {
    const { document } = readInventory(provider);
    expect(readme).toMatch(new RegExp(`^\\| ${document} \\| \`${provider}\` \\|`, 'm'));
    const spec = join(repoRoot, 'specs', provider, 'openapi.yaml');
    if (!existsSync(spec)) return; // yima's XSDs name their document in comments ("seed 004") only
    const seed = (parse(readFileSync(spec, 'utf8')) as { info: Record<string, unknown> }).info['x-refundkit-seed'];
    expect(String(seed).slice(0, 3)).toBe(document);
  });

  it('states the status-mapping rules, with the three limits on failed and the echo rule', () => {
    const rules = section(readme, 'Status mapping');
    for (const words of ['first request', 'query', 'succeeded', 'echo', 'unknown']) expect(rules).toContain(words);
    for (const provider of PROVIDERS) expect(rules).toContain(`| ${provider} |`);
  });
});

describe('the note table reader', () => {
  it('reads only the rows of the Assumptions and corrections section', () => {
    const page = '# x\n\n## Fields\n| `A.b` | assumption | elsewhere |\n\n## Assumptions and corrections\n| where | kind | says |\n|---|---|---|\n| `A.b` | assumption | one |\n| `POST /x` | correction | two |\n\n## Next\n| `C` | assumption | no |\n';
    expect(listedNoteSites(page)).toEqual(['A.b assumption', 'POST /x correction']);
  });
});
