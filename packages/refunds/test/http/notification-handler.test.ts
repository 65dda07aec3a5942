/**
 * `createNotificationHandler` as a Fetch-API handler, with in-process `Request`s: signed
 * notifications (EasyPay RSA, Ti-Pay ti-signature) through the real facade are answered with
 * exactly the provider's acknowledgement once the ledger holds them; duplicates change nothing;
 * forged ones are never acknowledged and change nothing; the ledger down is a 503 the provider
 * retries; routes, methods and the body bound are refused before the facade is asked.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, createNotificationHandler, MemoryLedger, NotFoundError, RefundkitError, type NotifyingProvider } from '../../src/index.js';
import { easypayAnswer, easypayNotification, facade, input, scripted, tipayAnswer, tipayNotification } from '../support.js';
import { DOCUMENTED_ACKS, isAcknowledged, recordingLogger, recordingReceiver, SwitchableLedger } from './support.js';

const ORIGIN = 'http://merchant.test';

/** An error of any code, as the facade's (and the lead's coming `NotificationBodyError`) are: the handler goes by `code`. */
class CodedError extends RefundkitError {}

const post = (path: string, body: string | Uint8Array | ReadableStream<Uint8Array> | null, headers: Record<string, string> = { 'content-type': 'application/json' }): Request =>
  new Request(`${ORIGIN}${path}`, { method: 'POST', headers, body, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit);

async function answered(response: Response): Promise<{ status: number; contentType: string | null; body: string }> {
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
}

async function pendingEasypay(ledger: MemoryLedger | SwitchableLedger = new MemoryLedger()) {
  const script = scripted(easypayAnswer({ transState: '9' }));
  const refunds = facade('easypay', script, { ledger });
  const refund = await refunds.refund(input('easypay'));
  expect(refund.status).toBe('pending');
  return { script, refunds, refund };
}

async function pendingTipay() {
  const script = scripted(tipayAnswer('PROCESSING'));
  const ledger = new MemoryLedger();
  const refunds = facade('tipay', script, { ledger });
  const refund = await refunds.refund(input('tipay'));
  expect(refund.status).toBe('pending');
  return { script, ledger, refunds, refund };
}

describe('signed notifications through the facade', () => {
  it('easypay: answered exactly {"code":"000000","msg":"Success"}, application/json, 200, once the refund is succeeded in the ledger', async () => {
    const { script, refunds, refund } = await pendingEasypay();
    const handler = createNotificationHandler(refunds);
    const response = await handler(post('/notify/easypay', easypayNotification({ transState: '0' })));
    expect(await answered(response)).toEqual({ status: 200, contentType: 'application/json', body: '{"code":"000000","msg":"Success"}' });
    expect((await refunds.history(refund)).at(-1)).toMatchObject({ source: 'notification', status: 'succeeded' });
    expect((await refunds.get(refund)).status).toBe('succeeded');
    expect(script.calls).toHaveLength(1); // the refund itself: no query
  });

  it('tipay: answered exactly SUCCESS, text/plain, 200; the ti-signature over the raw bytes verified', async () => {
    const { script, refunds, refund } = await pendingTipay();
    const { rawBody, headers } = tipayNotification('SUCCESS', { signed: true });
    const response = await createNotificationHandler(refunds)(post('/notify/tipay', rawBody, headers));
    expect(await answered(response)).toEqual({ status: 200, contentType: 'text/plain', body: 'SUCCESS' });
    expect((await refunds.get(refund)).status).toBe('succeeded');
    expect(script.calls).toHaveLength(1);
  });

  it('a duplicate delivery gets the same acknowledgement and changes nothing', async () => {
    const { refunds, refund } = await pendingEasypay();
    const handler = createNotificationHandler(refunds);
    const body = easypayNotification({ transState: '0' });
    const first = await answered(await handler(post('/notify/easypay', body)));
    const afterFirst = { refund: await refunds.get(refund), history: await refunds.history(refund) };
    const second = await answered(await handler(post('/notify/easypay', body)));
    expect(second).toEqual(first);
    expect(isAcknowledged('easypay', second.status, second.body)).toBe(true);
    expect(await refunds.get(refund)).toEqual(afterFirst.refund);
    expect(await refunds.history(refund)).toEqual(afterFirst.history);
  });

  it('a forged easypay notification (altered after signing) is not acknowledged and changes nothing', async () => {
    const { refunds, refund } = await pendingEasypay();
    const before = await refunds.history(refund);
    const response = await answered(await createNotificationHandler(refunds)(post('/notify/easypay', easypayNotification({ transState: 'X', tamper: true }))));
    // Whether the facade throws (a 400 from errorToHttp) or answers EasyPay's rejection, EasyPay delivers again.
    expect(isAcknowledged('easypay', response.status, response.body)).toBe(false);
    expect((await refunds.get(refund)).status).toBe('pending');
    // Kept in the history as refused, and nothing else.
    const after = await refunds.history(refund);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length)).toMatchObject([{ source: 'notification', verdict: 'refused', statusAfter: 'pending' }]);
  });

  it('a tipay notification whose ti-signature does not match its bytes is not acknowledged and changes nothing', async () => {
    const { ledger, refunds, refund } = await pendingTipay();
    const { rawBody, headers } = tipayNotification('SUCCESS', { signed: true });
    // One byte of the body changed after signing: a body parser that re-serialised would do as much.
    const response = await answered(await createNotificationHandler(refunds)(post('/notify/tipay', rawBody.replace('"SUCCESS"', '"SUCCESS" '), headers)));
    expect(isAcknowledged('tipay', response.status, response.body)).toBe(false);
    expect((await ledger.get(refund))?.status).toBe('pending');
  });

  it('a body that is no notification at all is not acknowledged and changes nothing', async () => {
    const { refunds, refund } = await pendingEasypay();
    const before = await refunds.history(refund);
    const response = await answered(await createNotificationHandler(refunds)(post('/notify/easypay', 'not json')));
    expect(isAcknowledged('easypay', response.status, response.body)).toBe(false);
    expect(await refunds.history(refund)).toEqual(before);
  });

  it('a provider this facade is not configured for is a 404 (NotFoundError from the facade)', async () => {
    const { refunds } = await pendingTipay();
    await expect(refunds.handleNotification('easypay' as never, { headers: {}, rawBody: '{}' })).rejects.toBeInstanceOf(NotFoundError);
    const response = await answered(await createNotificationHandler(refunds)(post('/notify/easypay', easypayNotification({ transState: '0' }))));
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'not_found', sent: false } });
  });
});

describe('the ledger down', () => {
  it('is a 503 (the provider delivers again), with no detail of the database; once it is back, the next delivery is applied and acknowledged', async () => {
    const ledger = new SwitchableLedger();
    const { refunds, refund } = await pendingEasypay(ledger);
    const logger = recordingLogger();
    const handler = createNotificationHandler(refunds, { logger });
    const body = easypayNotification({ transState: '0' });

    ledger.down = true;
    const refused = await answered(await handler(post('/notify/easypay', body)));
    expect(refused.status).toBe(503);
    expect(isAcknowledged('easypay', refused.status, refused.body)).toBe(false);
    expect(JSON.parse(refused.body)).toEqual({ error: { code: 'ledger_unavailable', message: expect.any(String), sent: false } });
    expect(refused.body).not.toMatch(/db\.internal|5432|ECONNREFUSED/);
    expect(logger.entries).toContainEqual({ level: 'error', message: 'refundkit notification not handled', details: { provider: 'easypay', status: 503, code: 'ledger_unavailable' } });

    ledger.down = false;
    expect((await ledger.get(refund))?.status).toBe('pending');
    const retried = await answered(await handler(post('/notify/easypay', body)));
    expect(isAcknowledged('easypay', retried.status, retried.body)).toBe(true);
    expect((await ledger.get(refund))?.status).toBe('succeeded');
  });
});

describe('routes, methods and the body bound, refused before the facade is asked', () => {
  it.each([
    ['/notify/eftpay', 'a provider that sends no notifications'],
    ['/notify/yima', 'a provider that sends no notifications'],
    ['/notify/nobody', 'an unknown provider'],
    ['/notify', 'no provider'],
    ['/notify/', 'no provider'],
    ['/notify/tipay/a/b', 'too many segments'],
    ['/elsewhere/tipay', 'another path'],
    ['/notify/%E0%A4%A', 'a malformed escape'],
  ])('%s (%s) is 404 with a JSON error', async (path) => {
    const receiver = recordingReceiver();
    const response = await createNotificationHandler(receiver)(post(path, '{}'));
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toMatchObject({ error: { code: 'not_found', sent: false } });
    expect(receiver.calls).toHaveLength(0);
  });

  it.each(['GET', 'PUT', 'DELETE'])('%s is 405 with Allow: POST', async (method) => {
    const receiver = recordingReceiver();
    const response = await createNotificationHandler(receiver)(new Request(`${ORIGIN}/notify/tipay`, { method, ...(method === 'GET' ? {} : { body: '{}' }) }));
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(await response.json()).toMatchObject({ error: { code: 'method_not_allowed' } });
    expect(receiver.calls).toHaveLength(0);
  });

  it('basePath: the routes live under it, and only there', async () => {
    const receiver = recordingReceiver();
    const handler = createNotificationHandler(receiver, { basePath: '/hooks/' });
    expect((await handler(post('/hooks/notify/tipay', '{}'))).status).toBe(200);
    expect((await handler(post('/hooks/notify/tipay/', '{}'))).status).toBe(200);
    expect((await handler(post('/hooks/notify/tipay?attempt=2', '{}'))).status).toBe(200);
    expect((await handler(post('/notify/tipay', '{}'))).status).toBe(404);
    expect((await handler(post('/hooks/notify/tipay/x?/notify/tipay', '{}'))).status).toBe(404);
    expect(receiver.calls.map((c) => c.provider)).toEqual(['tipay', 'tipay', 'tipay']);
  });

  it('an account segment: a known one is handed to the facade as { account }, an unknown one is 404', async () => {
    const receiver = recordingReceiver();
    const handler = createNotificationHandler(receiver, { accounts: { tipay: ['10012426723'] } });
    expect((await handler(post('/notify/tipay/10012426723', '{}'))).status).toBe(200);
    expect((await handler(post('/notify/tipay/99999999999', '{}'))).status).toBe(404);
    expect((await handler(post('/notify/easypay/10012426723', '{}'))).status).toBe(404);
    expect((await handler(post('/notify/tipay', '{}'))).status).toBe(200);
    expect(receiver.calls.map((c) => [c.provider, c.options, c.argumentCount])).toEqual([
      ['tipay', { account: '10012426723' }, 3],
      ['tipay', undefined, 2],
    ]);
  });

  it('a Content-Length over maxBodyBytes is 413 before the body is read', async () => {
    const receiver = recordingReceiver();
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(512));
      },
    });
    const request = post('/notify/tipay', body, { 'content-type': 'application/json', 'content-length': '1025' });
    const response = await createNotificationHandler(receiver, { maxBodyBytes: 1024 })(request);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'body_too_large', sent: false } });
    expect(receiver.calls).toHaveLength(0);
    // The stream's start-up pull may run (a ReadableStream fills its queue); the handler read nothing of it.
    expect(pulled).toBeLessThanOrEqual(1);
  });

  it('a streamed body without Content-Length is counted as it arrives and cut at the bound: a body that never ends is still answered 413', async () => {
    const receiver = recordingReceiver();
    let sent = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 300;
        controller.enqueue(new Uint8Array(300));
      },
      cancel() {
        cancelled = true;
      },
    });
    const response = await createNotificationHandler(receiver, { maxBodyBytes: 1000 })(post('/notify/tipay', endless));
    expect(response.status).toBe(413);
    expect(receiver.calls).toHaveLength(0);
    expect(cancelled).toBe(true);
    // Cut at the first chunk past the bound (plus what the stream queued ahead).
    expect(sent).toBeLessThanOrEqual(1000 + 2 * 300);
  });

  it('a body of exactly maxBodyBytes, streamed in pieces, is handed over whole, byte for byte', async () => {
    const receiver = recordingReceiver();
    const bytes = Uint8Array.from({ length: 1024 }, (_, i) => (i * 7) % 256);
    const pieces = [bytes.slice(0, 100), bytes.slice(100, 700), bytes.slice(700)];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = pieces.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const response = await createNotificationHandler(receiver, { maxBodyBytes: 1024 })(post('/notify/tipay', body));
    expect(response.status).toBe(200);
    expect(receiver.calls[0]!.notification.rawBody).toEqual(bytes);
  });

  it('the headers are handed over as received', async () => {
    const receiver = recordingReceiver();
    await createNotificationHandler(receiver)(post('/notify/tipay', '{}', { 'content-type': 'application/json', 'ti-signature': 'abc', 'ti-timestamp': '1' }));
    const headers = receiver.calls[0]!.notification.headers as Headers;
    expect([headers.get('ti-signature'), headers.get('ti-timestamp')]).toEqual(['abc', '1']);
  });
});

describe('what the facade answers, answered as it is', () => {
  it('a rejection acknowledgement (outcome refused or deferred) is sent as it is, and logged at warn', async () => {
    for (const outcome of ['refused', 'deferred']) {
      const logger = recordingLogger();
      const receiver = recordingReceiver(() => ({ ack: { status: 400, contentType: 'text/plain', body: 'FAIL' }, outcome, changed: false }));
      const response = await answered(await createNotificationHandler(receiver, { logger })(post('/notify/tipay', '{}')));
      expect(response).toEqual({ status: 400, contentType: 'text/plain', body: 'FAIL' });
      expect(logger.entries).toEqual([{ level: 'warn', message: 'refundkit notification answered for a retry', details: { provider: 'tipay', status: 400, outcome, changed: false } }]);
    }
  });

  it('an acknowledgement without a status is a 200', async () => {
    const receiver = recordingReceiver(() => ({ ack: { contentType: 'application/json', body: DOCUMENTED_ACKS.easypay.body }, outcome: 'applied', changed: true }));
    const response = await answered(await createNotificationHandler(receiver)(post('/notify/easypay', '{}')));
    expect(response).toEqual({ status: 200, contentType: 'application/json', body: DOCUMENTED_ACKS.easypay.body });
  });

  it.each([
    ['notification_body_invalid', 400],
    ['signature_invalid', 400],
    ['response_invalid', 400],
    ['ledger_unavailable', 503],
    ['not_found', 404],
  ] as const)('the facade throwing %s is answered %i, as errorToHttp says', async (code, status) => {
    const receiver = recordingReceiver(() => ({ throw: new CodedError(code, `${code} (detail)`) }));
    const response = await createNotificationHandler(receiver)(post('/notify/tipay', '{}'));
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error: { code, sent: false } });
  });

  it('an unexpected error is a 500 without its message, logged without it either', async () => {
    const logger = recordingLogger();
    const receiver = recordingReceiver(() => ({ throw: new TypeError('cannot read password=hunter2 of undefined') }));
    const response = await answered(await createNotificationHandler(receiver, { logger })(post('/notify/tipay', '{}')));
    expect(response.status).toBe(500);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'internal_error', sent: true } });
    expect(response.body).not.toContain('hunter2');
    expect(JSON.stringify(logger.entries)).not.toContain('hunter2');
  });
});

describe('the log', () => {
  it('names the provider, the outcome and the refund, never a header, a signature or the body', async () => {
    const { refunds, refund } = await pendingTipay();
    const logger = recordingLogger();
    const { rawBody, headers } = tipayNotification('SUCCESS', { signed: true });
    await createNotificationHandler(refunds, { logger })(post('/notify/tipay', rawBody, headers));
    await createNotificationHandler(refunds, { logger })(new Request(`${ORIGIN}/notify/tipay`));
    expect(logger.entries.map((e) => [e.level, e.message])).toEqual([
      ['info', 'refundkit notification handled'],
      ['debug', 'refundkit notification request refused: method not allowed'],
    ]);
    expect(logger.entries[0]!.details).toMatchObject({ provider: 'tipay', status: 200, refundId: refund.refundId, refundStatus: 'succeeded' });
    const logged = JSON.stringify(logger.entries);
    for (const secret of [headers['ti-signature']!, 'uniqueRefundNo', '1002202301300000005245434665', 'refundAccountDetail']) expect(logged).not.toContain(secret);
  });
});

describe('options are checked when the handler is made', () => {
  it.each([
    [{ maxBodyBytes: 0 }, 'notificationHandler.maxBodyBytes'],
    [{ maxBodyBytes: 1.5 }, 'notificationHandler.maxBodyBytes'],
    [{ basePath: 'hooks' }, 'notificationHandler.basePath'],
    [{ basePath: '/hooks?x=1' }, 'notificationHandler.basePath'],
  ])('%j is a ConfigError naming %s', (options, path) => {
    const error = (() => {
      try {
        createNotificationHandler(recordingReceiver(), options);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.path)).toEqual([path]);
  });
});

describe('providers', () => {
  it.each(['easypay', 'tipay'] satisfies NotifyingProvider[])('%s is routed', async (provider) => {
    const receiver = recordingReceiver();
    expect((await createNotificationHandler(receiver)(post(`/notify/${provider}`, '{}'))).status).toBe(200);
    expect(receiver.calls.map((c) => c.provider)).toEqual([provider]);
  });
});
