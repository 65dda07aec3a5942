/**
 * Every duration the sandbox takes is bounded (10 minutes, MAX_FAULT_MS): past 2^31-1 ms a Node
 * timer fires at once, and no test needs more. Fault `ms` is covered in server.test.ts (control
 * endpoint and header); these are the start options.
 */
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../src/index.js';

describe('sandbox durations', () => {
  it('refuses a delayMs above 10 minutes', async () => {
    await expect(startSandbox({ delayMs: 3_000_000_000 })).rejects.toThrow(/delayMs must be an integer from 0 to 600000 \(10 minutes\), not 3000000000/);
  });

  it('refuses notification timings above 10 minutes', async () => {
    await expect(startSandbox({ notifications: { backoffMs: 3_000_000_000 } })).rejects.toThrow(/notifications\.backoffMs must be at most 600000 \(10 minutes\)/);
    await expect(startSandbox({ notifications: { timeoutMs: 600_001 } })).rejects.toThrow(/notifications\.timeoutMs must be at most 600000/);
  });
});
