// Starts per second per provider account, held across every worker process: each job takes the
// next start instant from one row per account in PostgreSQL (`refundkit_lanes`), then waits for
// it. One short statement per job; its commit is not flushed (synchronous_commit off: a start
// instant lost in a crash only lets one start come early, never a refund twice).
import type { Pool } from 'pg';
import { quoted } from './queue-schema.js';

/** Takes the lane's next start instant at `perSecond` and returns how long to wait for it, ms. */
export async function takeStart(pool: Pool, schema: string, provider: string, account: string, perSecond: number): Promise<number> {
  const s = quoted(schema);
  const intervalMs = 1000 / perSecond;
  const client = await pool.connect();
  try {
    const results = (await client.query(
      `BEGIN; SET LOCAL synchronous_commit = off;
       INSERT INTO ${s}.refundkit_lanes AS l (provider, account, next_at) VALUES (${client.escapeLiteral(provider)}, ${client.escapeLiteral(account)}, clock_timestamp() + ${intervalMs} * interval '1 millisecond')
       ON CONFLICT (provider, account) DO UPDATE SET next_at = greatest(l.next_at, clock_timestamp()) + ${intervalMs} * interval '1 millisecond'
       RETURNING extract(epoch FROM (next_at - clock_timestamp())) * 1000 - ${intervalMs} AS wait_ms;
       COMMIT`,
    )) as unknown as { rows: { wait_ms?: string | number }[] }[];
    const waitMs = Number(results.find((r) => r.rows[0]?.wait_ms !== undefined)?.rows[0]?.wait_ms ?? 0);
    return Math.max(0, waitMs);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
