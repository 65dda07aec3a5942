import { describe, expect, it } from 'vitest';
import { run } from '../src/main.js';

function capture(): { io: Parameters<typeof run>[1]; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (c: string) => (out += c) }, stderr: { write: (c: string) => (err += c) } },
    out: () => out,
    err: () => err,
  };
}

describe('refundkit', () => {
  it('prints help and exits 0', async () => {
    const c = capture();
    expect(await run(['--help'], c.io)).toBe(0);
    expect(c.out()).toMatch(/^refundkit \d+\.\d+\.\d+: refunds across/);
  });

  it('prints the package version', async () => {
    const c = capture();
    expect(await run(['--version'], c.io)).toBe(0);
    expect(c.out()).toBe('0.1.0\n');
  });

  it('refuses an unknown command with exit 1 on stderr', async () => {
    const c = capture();
    expect(await run(['frobnicate'], c.io)).toBe(1);
    expect(c.err()).toContain('unknown command "frobnicate"');
    expect(c.out()).toBe('');
  });
});
