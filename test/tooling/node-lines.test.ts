import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRIMARY_LINE_ONLY } from '../primary-line-only.js';

/**
 * scripts/node-lines.txt is the one list of Node lines; .nvmrc, the engines fields, turbo's cache
 * key and the primary-only list must agree with it, or CI proves a line nobody can install.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const readJson = (path: string) => JSON.parse(read(path)) as Record<string, any>;
const semver = createRequire(import.meta.url)('semver') as { satisfies(version: string, range: string): boolean };

const lines = read('scripts/node-lines.txt')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.startsWith('#'))
  .map((l) => {
    const [line, version, role] = l.trim().split(/\s+/);
    return { line: line!, version: version!, role: role! };
  });

/** Every workspace's package.json (packages/*, generated/*, test), as in the root's workspaces. */
const workspaces = (readJson('package.json').workspaces as string[]).flatMap((pattern) =>
  pattern.endsWith('/*') ? readdirSync(join(ROOT, pattern.slice(0, -2))).map((name) => `${pattern.slice(0, -2)}/${name}`) : [pattern],
).filter((dir) => existsSync(join(ROOT, dir, 'package.json')));

describe('Node lines', () => {
  it('has one primary line, and every line is its major at an exact version', () => {
    expect(lines.filter((l) => l.role === 'primary')).toHaveLength(1);
    for (const l of lines) {
      expect(['primary', 'secondary']).toContain(l.role);
      expect(l.version).toMatch(new RegExp(`^${l.line}\\.\\d+\\.\\d+$`));
    }
  });

  it('.nvmrc names the primary line’s version', () => {
    expect(read('.nvmrc').trim()).toBe(lines.find((l) => l.role === 'primary')!.version);
  });

  it('every line is admitted by the root engines and by every workspace’s engines', () => {
    const ranges = [['package.json', readJson('package.json').engines.node as string], ...workspaces.map((dir) => [dir, readJson(`${dir}/package.json`).engines?.node as string | undefined])];
    for (const [where, range] of ranges) {
      if (range === undefined) continue;
      for (const l of lines) expect(semver.satisfies(l.version, range!), `${where} engines "${range}" admits Node ${l.version}`).toBe(true);
    }
  });

  it('turbo keys every task on the Node running it and the test task on the line’s role', () => {
    const turbo = readJson('turbo.json');
    // npm sets npm_config_user_agent ("npm/11 node/v24.22.3 linux x64 ...") for npm run and npx.
    expect(turbo.globalEnv).toContain('npm_config_user_agent');
    expect(turbo.tasks.test.env).toContain('REFUNDKIT_NODE_LINE_ROLE');
  });

  it('every primary-only pattern names a folder of test/ that holds tests', () => {
    for (const pattern of PRIMARY_LINE_ONLY) {
      const folder = join(ROOT, 'test', pattern.replace(/\/\*\*$/, ''));
      expect(readdirSync(folder).some((name) => name.endsWith('.test.ts')), pattern).toBe(true);
    }
  });
});
