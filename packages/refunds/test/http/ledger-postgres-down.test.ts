/**
 * The ledger down for real: the PostgreSQL ledger reaches its server through a TCP relay on
 * 127.0.0.1 that the test cuts (every connection ended, the port refusing new ones) and restores.
 * While it is cut, a signed notification is answered 503, never acknowledged, and nothing about
 * the database is in the answer; once it is back, the same delivery is applied and acknowledged.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createNotificationHandler, migratePostgresLedger, openPostgresLedger, type PostgresLedger, type Refunds } from '../../src/index.js';
import { easypayAnswer, easypayNotification, facade, input, scripted } from '../support.js';
import { describePg, dropSchema, freshSchemaName, pgUrl } from '../pg-support.js';
import { isAcknowledged } from './support.js';

/** A TCP relay to the test server that can be cut and restored on the same port. */
async function relay(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = createConnection({ host: target.hostname, port: Number(target.port || 5432) });
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  await listen();
  return {
    get port() {
      return port;
    },
    async cut() {
      await new Promise<void>((resolve) => {
        server!.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    restore: listen,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
    },
  };
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

describePg('the PostgreSQL ledger down', () => {
  it('a notification is answered 503 while the database cannot be reached, and applied once it can', async () => {
    const schema = freshSchemaName();
    await migratePostgresLedger({ connectionString: pgUrl! }, { schema });
    cleanup.push(() => dropSchema(schema));
    const target = new URL(pgUrl!);
    const tcp = await relay(target);
    cleanup.push(() => tcp.close());
    const through = new URL(pgUrl!);
    through.hostname = '127.0.0.1';
    through.port = String(tcp.port);
    const ledger: PostgresLedger = await openPostgresLedger({ connectionString: through.href }, { schema, poolSize: 2, connectTimeoutMs: 2_000 });
    const refunds: Refunds = facade('easypay', scripted(easypayAnswer({ transState: '9' })), { ledger });
    cleanup.push(() => refunds.close());
    const refund = await refunds.refund(input('easypay'));
    expect(refund.status).toBe('pending');

    const handler = createNotificationHandler(refunds);
    const deliver = async () => {
      const response = await handler(new Request('http://merchant.test/notify/easypay', { method: 'POST', headers: { 'content-type': 'application/json' }, body: easypayNotification({ transState: '0' }) }));
      return { status: response.status, body: await response.text() };
    };

    await tcp.cut();
    const refused = await deliver();
    expect(refused.status).toBe(503);
    expect(isAcknowledged('easypay', refused.status, refused.body)).toBe(false);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'ledger_unavailable', sent: false } });
    expect(refused.body).not.toContain(String(tcp.port));
    expect(refused.body).not.toMatch(/postgres|ECONNREFUSED|127\.0\.0\.1/);

    await tcp.restore();
    const applied = await deliver();
    expect(isAcknowledged('easypay', applied.status, applied.body)).toBe(true);
    expect((await ledger.get({ provider: 'easypay', account: refund.account, refundId: refund.refundId }))?.status).toBe('succeeded');
  });
});
