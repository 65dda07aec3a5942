/**
 * `refundkit demo`: the README's main job on the embedded sandbox, once (it takes ~15 s: the
 * demo's sandbox keeps asynchronous refunds pending for 300 ms and each timeout waits 500 ms).
 */
import { describe, expect, it } from 'vitest';
import { cli, PROVIDERS, tempDir } from './support.js';

const SCENARIOS = ['full refund', 'partial refund 1', 'partial refund 2', 'over-refund', 'retry, same refund id', 'async, polled', 'timeout after commit', 'unknown, reconciled'];

describe('refundkit demo', () => {
  it('prints the table: 5 providers x 8 scenarios, every outcome right, exit 0', { timeout: 45_000 }, async () => {
    const tmp = tempDir();
    try {
      const result = await cli(['demo'], { cwd: tmp.dir });
      expect(result.code, result.out + result.err).toBe(0);
      const lines = result.out.split('\n');
      expect(lines[0]).toMatch(/^provider +scenario +status +provider refund id +ms +ok$/);
      expect(lines[1]).toMatch(/^-+( +-+){5}$/);
      const rows = lines.slice(2, 2 + PROVIDERS.length * SCENARIOS.length);
      expect(rows).toHaveLength(40);
      for (const [i, row] of rows.entries()) {
        const provider = PROVIDERS[Math.floor(i / SCENARIOS.length)]!;
        const scenario = SCENARIOS[i % SCENARIOS.length]!;
        expect(row.startsWith(provider), row).toBe(true);
        expect(row, row).toContain(scenario);
        expect(row, row).toMatch(/ {2}\d+ +yes$/);
        if (scenario === 'over-refund') expect(row).toContain('refused');
        else expect(row).toMatch(/ succeeded /);
      }
      expect(result.out).toContain('\nall 40 outcomes right\n');
      expect(result.out).not.toContain('NO:');
      // The demo keeps its ledger in memory: nothing written to the working directory.
      expect(result.err).toBe('');
    } finally {
      tmp.remove();
    }
  });
});
