import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deadlineSlots, MAX_SLOT_REQUESTS, slotLengthFor } from '../src/transport/deadline-slots.js';
import { fetchWithDeadline } from '../src/transport/fetch-with-deadline.js';
import { WireRequest } from '../src/transport/wire-request.js';
import { AnswerTooLargeError, ConnectionError, TimeoutError } from '../src/errors/transport-error.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('deadlineSlots', () => {
  it('slots last 1 % of the deadline, from 1 to 100 ms', () => {
    expect(slotLengthFor(30_000)).toBe(100);
    expect(slotLengthFor(2_000)).toBe(20);
    expect(slotLengthFor(50)).toBe(1);
  });

  it('requests starting within one slot share its signal; every one gets at least its timeoutMs', async () => {
    vi.useFakeTimers();
    const slots = deadlineSlots(2_000, () => new TimeoutError(2_000), () => Date.now());
    const first = slots.join();
    vi.advanceTimersByTime(19); // still inside the 20 ms slot
    const second = slots.join();
    expect(second).toBe(first);
    const rejected = vi.fn();
    first.expired.catch(rejected);
    // The second joined 19 ms after the slot opened: at 2,000 ms after it joined, it is not cut short.
    vi.advanceTimersByTime(2_000);
    await Promise.resolve();
    expect(first.signal.aborted).toBe(false);
    expect(rejected).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1); // 2,020 ms after the slot opened: the deadline passed for both
    await Promise.resolve();
    expect(first.signal.aborted).toBe(true);
    expect(rejected).toHaveBeenCalledWith(expect.any(TimeoutError));
  });

  it('a request after the slot closed opens another one', () => {
    vi.useFakeTimers();
    const slots = deadlineSlots(2_000, () => new TimeoutError(2_000), () => Date.now());
    const first = slots.join();
    vi.advanceTimersByTime(20);
    expect(slots.join()).not.toBe(first);
  });

  it('a slot takes at most MAX_SLOT_REQUESTS requests', () => {
    vi.useFakeTimers();
    const slots = deadlineSlots(30_000, () => new TimeoutError(30_000), () => Date.now());
    const first = slots.join();
    for (let i = 1; i < MAX_SLOT_REQUESTS; i++) expect(slots.join()).toBe(first);
    expect(slots.join()).not.toBe(first);
  });

  it('the timer ends with the last request of the slot: nothing keeps the process alive, nothing is aborted', () => {
    vi.useFakeTimers();
    const slots = deadlineSlots(30_000, () => new TimeoutError(30_000), () => Date.now());
    const a = slots.join();
    const b = slots.join();
    expect(vi.getTimerCount()).toBe(1);
    slots.leave(a);
    expect(vi.getTimerCount()).toBe(1);
    slots.leave(b);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(a.signal.aborted).toBe(false);
    expect(slots.join()).not.toBe(a); // the ended slot takes no one
  });
});

describe('fetchWithDeadline with shared deadlines', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
    server = createServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it("one request's caller abort and another's oversized answer leave a third, started with them, alone", async () => {
    const base = await listen((req, res) => {
      if (req.url === '/big') {
        res.writeHead(200);
        res.end(Buffer.alloc(4096, 0x61));
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('{"late":true}'), 200);
      } else {
        setTimeout(() => res.end('{"ok":true}'), 100);
      }
    });
    const send = fetchWithDeadline({ timeoutMs: 10_000, maxAnswerBytes: 1024 });
    const caller = new AbortController();
    const aborted = send(new WireRequest(`${base}/slow`, { method: 'GET', signal: caller.signal }));
    const oversized = send(new WireRequest(`${base}/big`, { method: 'GET' }));
    const fine = send(new WireRequest(`${base}/ok`, { method: 'GET' }));
    caller.abort();
    await expect(aborted).rejects.toBeInstanceOf(ConnectionError);
    await expect(oversized).rejects.toBeInstanceOf(AnswerTooLargeError);
    const answer = await fine;
    expect(new TextDecoder().decode(answer.bytes)).toBe('{"ok":true}');
  });

  it('requests sharing a slot each time out as a TimeoutError', async () => {
    const base = await listen(() => undefined); // never answers
    const send = fetchWithDeadline({ timeoutMs: 150 });
    const results = await Promise.allSettled([1, 2, 3].map(() => send(new WireRequest(`${base}/`, { method: 'GET' }))));
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(TimeoutError);
    }
  });
});

describe('fetchWithDeadline and redirects', () => {
  it('does not follow a redirect: the signed request is never sent elsewhere, and the outcome may have reached the provider', async () => {
    let elsewhere = 0;
    const other = createServer((_req, res) => {
      elsewhere++;
      res.end('{}');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(other.address() as AddressInfo).port}/refund`;
    const redirecting = createServer((_req, res) => {
      res.writeHead(307, { location: target });
      res.end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    try {
      const send = fetchWithDeadline({ timeoutMs: 5_000 });
      const failure = await send(new WireRequest(`http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/refund`, { method: 'POST', body: '{"refund":1}' })).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ConnectionError);
      expect((failure as ConnectionError).mayHaveReachedProvider).toBe(true);
      expect((failure as Error).message).toMatch(/redirect/);
      expect(elsewhere).toBe(0);
    } finally {
      redirecting.closeAllConnections();
      other.closeAllConnections();
      await new Promise((resolve) => redirecting.close(resolve));
      await new Promise((resolve) => other.close(resolve));
    }
  });
});
