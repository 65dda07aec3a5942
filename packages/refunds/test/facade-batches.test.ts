/** The batch label through the facade: `refund(input, { batch })` stores it, `batches()` sums this instance's runs. */
import { describe, expect, it } from 'vitest';
import { MemoryLedger, ValidationError } from '../src/index.js';
import { facade, input, refundAnswer, scripted } from './support.js';

describe('batch label through the facade', () => {
  it('stores the batch on the refund and sums the run; a resubmission under another run keeps the first', async () => {
    const ledger = new MemoryLedger();
    const script = scripted(refundAnswer('tipay', 'failed')!, refundAnswer('tipay', 'succeeded')!, refundAnswer('tipay', 'succeeded')!);
    const refunds = facade('tipay', script, { ledger });
    const first = await refunds.refund(input('tipay'), { batch: 'run-1' });
    expect(first).toMatchObject({ status: 'failed', batch: 'run-1' });
    const again = await refunds.refund(input('tipay'), { batch: 'run-2' });
    expect(again).toMatchObject({ status: 'succeeded', batch: 'run-1' });
    await refunds.refund(input('tipay', { refundId: 'refundorder987655', orderId: 'order123456780' }));
    expect(script.calls).toHaveLength(3);
    const runs = await refunds.batches();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: 'run-1', total: 1, statuses: { succeeded: { count: 1, amount: input('tipay').amount } } });
    expect(await refunds.batches({ id: 'run-2' })).toEqual([]);
  });

  it('refuses a bad label before anything is reserved or sent', async () => {
    const ledger = new MemoryLedger();
    const script = scripted(refundAnswer('tipay', 'succeeded')!);
    const refunds = facade('tipay', script, { ledger });
    for (const bad of ['', ' run', 'run 1', 'x'.repeat(101), 'a/b']) {
      const error = await refunds.refund(input('tipay'), { batch: bad }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]?.path).toBe('batch');
      expect((error as Error).message).toMatch(/nothing was sent/);
    }
    expect(script.calls).toHaveLength(0);
    expect(await ledger.totals()).toEqual([]);
    await expect(refunds.batches({ limit: 0 })).rejects.toThrow(/limit/);
  });
});
