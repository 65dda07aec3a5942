import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

describe('the installed refundkit bin', () => {
  it('runs from node_modules/.bin after npm ci and a build', () => {
    const bin = join(root, 'node_modules/.bin/refundkit');
    const result = spawnSync(bin, ['--help'], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^refundkit \d+\.\d+\.\d+: refunds across/);
  });

  it('ships an executable shim in the package (tsc output has no run bit)', () => {
    expect(statSync(join(root, 'packages/cli/bin/refundkit.js')).mode & 0o111).not.toBe(0);
  });
});
