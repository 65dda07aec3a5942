import { describe, expect, it } from 'vitest';
import { ADAPTERS, once } from '../src/providers/index.js';

describe('loading a provider at first use', () => {
  it('imports once: every later call answers the same promise', async () => {
    let calls = 0;
    const load = once(async () => ({ loaded: ++calls }));
    const [a, b] = await Promise.all([load(), load()]);
    expect(await load()).toBe(a);
    expect(b).toBe(a);
    expect(calls).toBe(1);
  });

  it('tries a failed import again on the next call, rather than keeping the failure', async () => {
    let calls = 0;
    const load = once(async () => {
      calls++;
      if (calls === 1) throw new Error('module not found');
      return 'adapter';
    });
    await expect(load()).rejects.toThrow('module not found');
    await expect(load()).resolves.toBe('adapter');
    expect(calls).toBe(2);
  });

  it('loads each provider’s own adapter, keyed as its entry', async () => {
    for (const [key, entry] of Object.entries(ADAPTERS)) {
      expect(entry.key).toBe(key);
      expect((await entry.load()).key).toBe(key);
    }
  });
});
