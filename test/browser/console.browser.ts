/**
 * The console in a real browser (issue 24): Debian's Chromium, headless, against the real
 * `refundkit serve` and `refundkit refund` processes sharing one SQLite ledger, and a sandbox.
 * Screenshots of the main views go to test/browser/artifacts/ (git-ignored).
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRefunds, openSqliteLedger } from '@refundkit/refunds';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ARTIFACTS, ROOT, cliRefund, type CliRefund, launchBrowser, sandboxConfig, startServe, tempDir, writeJson } from './support.js';

const temp = tempDir('refundkit-console-browser-');
let sandbox: Sandbox;
let serve: Awaited<ReturnType<typeof startServe>>;
let browser: BrowserContext;
let page: Page;
let config: string;
let ledger: string;
let counter = 0;
/** Script errors and console errors of the page (a CSP violation is one): none expected. */
const pageErrors: string[] = [];

const newId = (tag: string): string => `${tag}${String(Date.now() % 1e6).padStart(6, '0')}${String(++counter).padStart(4, '0')}`;

/** A paid tipay order in the sandbox, and a refund of it through the real CLI. */
async function refundThroughCli(amount = '1.00'): Promise<CliRefund & { orderId: string; refundId: string }> {
  const orderId = newId('ORDBRW');
  sandbox.addOrder('tipay', { orderId, amount: 10_000 });
  const refundId = newId('RFBRW');
  const result = await cliRefund(['--config', config, '--ledger', ledger, '--provider', 'tipay', '--order', orderId, '--refund-id', refundId, '--amount', amount, '--currency', 'CNY']);
  return { ...result, orderId, refundId };
}

/** Saves the view as an artifact, after checking it shows none of the configured secrets. */
async function shot(name: string): Promise<void> {
  const html = await page.content();
  // The one secret in the configuration (tipay signs with its AppKey; lianke's operator is a name).
  expect(html, `${name} shows the tipay AppKey`).not.toContain(sandbox.credentials.tipay.appKey);
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  // Refunds stay pending (as an asynchronous provider's do) until decided from the page or by the test.
  sandbox = await startSandbox({ port: 0, delayMs: 600_000 });
  config = writeJson(join(temp.dir, 'refundkit.config.json'), sandboxConfig(sandbox));
  ledger = join(temp.dir, 'ledger.db');
  serve = await startServe(['--config', config, '--ledger', ledger, '--sandbox-url', sandbox.baseUrl]);
  browser = await launchBrowser(join(temp.dir, 'profile'));
  page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => void (message.type() === 'error' && pageErrors.push(`${message.text()} ${message.location().url}`)));
});

afterAll(async () => {
  // Refusals the last test provokes on purpose (403, 401), and the browser's own /favicon.ico
  // beside those JSON answers, are logged by Chromium as failed loads; nothing else may be.
  expect(pageErrors.filter((e) => !/status of 40[13]/.test(e) && !e.endsWith('/favicon.ico'))).toEqual([]);
  await browser?.close();
  await serve?.stop();
  await sandbox?.close();
  temp.remove();
});

describe('the refundkit console in Chromium', () => {
  it('shows a refund made in the sandbox as it happens (live), in major units with its currency', async () => {
    await page.goto(`${serve.url}/console/`);
    await page.waitForSelector('text=Live');
    const made = await refundThroughCli('12.34');
    expect(made.refund?.status, made.stderr).toBe('pending');
    // No reload: the change feed's event brings it.
    const row = await page.waitForSelector(`tr[data-refund-id="${made.refundId}"]`, { timeout: 15_000 });
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('12.34 CNY');
    expect(text).toContain('pending');
    // The time is the viewer's, the provider's in the tooltip.
    expect(await row.$eval('time', (t) => t.getAttribute('title'))).toContain('Asia/Shanghai');
    await shot('refunds');
  });

  it("opens a refund's page whose timeline shows the reservation and the attempt's answer", async () => {
    const made = await refundThroughCli();
    await page.goto(`${serve.url}/console/#/refunds`);
    await page.click(`tr[data-refund-id="${made.refundId}"] a`);
    await page.waitForSelector('#refund-title');
    const entries = await page.$$eval('ol.timeline li', (items) => items.map((li) => li.textContent ?? ''));
    expect(entries[0]).toContain('Reserved: attempt 1');
    expect(entries.some((e) => e.includes('Answer to the refund request (attempt 1): pending'))).toBe(true);
    await shot('refund-timeline');
  });

  it('arms a fault from the page: the next CLI refund is unknown; "query now" then moves it to final', async () => {
    await page.goto(`${serve.url}/console/#/sandbox`);
    await page.selectOption('select[name="sandbox-provider"]', 'tipay');
    await page.waitForSelector('select[name="fault"] option:text-is("http-502")', { state: 'attached' });
    await page.selectOption('select[name="fault"]', 'http-502');
    await page.click('button:has-text("Arm fault")');
    await page.waitForSelector('[data-testid="armed-faults"]:has-text("tipay http-502")');
    expect(sandbox.armedFaults().map((f) => [f.provider, f.fault])).toEqual([['tipay', 'http-502']]);

    const made = await refundThroughCli();
    expect(made.refund?.status, made.stderr).toBe('unknown');
    expect(sandbox.armedFaults()).toEqual([]);
    // The sandbox's request log on the page names the fault.
    await page.waitForSelector(`td:has-text("faulted (fault http-502, recorded)")`, { timeout: 10_000 });
    await shot('sandbox');

    // The provider finishes the refund (decided on the sandbox's page); the ledger still says unknown.
    await page.click(`tr[data-refund-no="${made.refundId}"] button:has-text("Succeed")`);
    await page.waitForSelector(`tr[data-refund-no="${made.refundId}"] .status-succeeded`);

    await page.goto(`${serve.url}/console/#/refunds?status=unknown`);
    await page.click(`tr[data-refund-id="${made.refundId}"] a`);
    await page.waitForSelector('#refund-title .status-unknown');
    await page.click('button:has-text("Query the provider now")');
    await page.waitForSelector('#refund-title .status-succeeded', { timeout: 15_000 });
    const entries = await page.$$eval('ol.timeline li', (items) => items.map((li) => li.textContent ?? ''));
    expect(entries.some((e) => e.includes('Answer to the query') && e.includes('succeeded'))).toBe(true);
    await shot('refund-queried');
  });

  it("a batch run's progress advances live as its refunds become final", async () => {
    // The merchant's batch job: the library, on the same ledger as serve, refunds under one batch label.
    const ledgerOfApp = await openSqliteLedger(ledger);
    const app = createRefunds({ providers: sandboxConfig(sandbox)['providers'] as never, ledger: ledgerOfApp });
    try {
      const batch = newId('run-');
      await page.goto(`${serve.url}/console/#/batches`);
      await page.waitForSelector('#batches-title');
      const made = [];
      for (let i = 0; i < 3; i++) {
        const orderId = newId('ORDBAT');
        sandbox.addOrder('tipay', { orderId, amount: 1_000 });
        made.push(await app.refund({ provider: 'tipay', orderId, refundId: newId('RFBAT'), amount: 100, currency: 'CNY' }, { batch }));
      }
      expect(made.map((r) => r.status)).toEqual(['pending', 'pending', 'pending']);
      const final = `tr[data-batch="${batch}"] [data-testid="batch-final"]`;
      // The run appears without a reload, nothing final yet.
      expect((await (await page.waitForSelector(`${final}:has-text("0 / 3")`, { timeout: 15_000 })).textContent())?.trim()).toBe('0 / 3');
      await shot('batches-start');
      // Each query makes one refund final; the page follows, one step at a time.
      for (const [i, refund] of made.entries()) {
        // The provider finishes one refund; a query (the reconciler would do the same) records it.
        sandbox.settleRefund('tipay', refund.refundId, 'succeeded');
        expect((await app.get(refund)).status).toBe('succeeded');
        await page.waitForSelector(`${final}:has-text("${i + 1} / 3")`, { timeout: 15_000 });
      }
      expect(await page.getAttribute(`tr[data-batch="${batch}"] [role="progressbar"]`, 'aria-valuenow')).toBe('3');
      await shot('batches');
      // The run's refunds, by the list's batch filter.
      await page.click(`tr[data-batch="${batch}"] a`);
      await page.waitForSelector(`tr[data-refund-id="${made[0]!.refundId}"]`);
      expect(await page.$$eval('tr[data-refund-id]', (rows) => rows.length)).toBe(3);
    } finally {
      await app.close();
    }
  });

  it('drives the sandbox from the page: adds a paid order, decides a pending refund', async () => {
    await page.goto(`${serve.url}/console/#/sandbox`);
    await page.selectOption('select[name="sandbox-provider"]', 'tipay');
    const orderId = newId('ORDPAGE');
    await page.fill('input[name="orderId"]', orderId);
    await page.fill('input[name="amount"]', '25.50');
    await page.click('button:has-text("Add paid order")');
    const orderRow = await page.waitForSelector(`tr:has(td:text-is("${orderId}"))`);
    // tipay refunds in CNY only: the page says so (the sandbox's order record carries eftpay's currency field, not tipay's).
    expect(await orderRow.textContent()).toContain('25.50 CNY');
    expect(sandbox.order('tipay', orderId)).toMatchObject({ amount: 2550, status: 'paid' });

    // A refund the sandbox keeps pending (an async provider's PROCESSING) until decided from the page.
    const made = await refundThroughCli();
    expect(sandbox.refund('tipay', made.refundId)?.phase).toBe('pending');
    await page.click(`tr[data-refund-no="${made.refundId}"] button:has-text("Fail")`);
    await page.waitForSelector(`tr[data-refund-no="${made.refundId}"] .status-failed`);
    expect(sandbox.refund('tipay', made.refundId)?.phase).toBe('failed');
  });

  it('is usable from the keyboard: Tab reaches the views, Enter opens one', async () => {
    await page.goto(`${serve.url}/console/#/refunds`);
    // A fresh load: focus starts at the top of the document.
    await page.reload();
    await page.waitForSelector('#refunds-title');
    let focused = '';
    for (let i = 0; i < 10 && focused !== 'Totals'; i++) {
      await page.keyboard.press('Tab');
      focused = String(await page.evaluate('document.activeElement?.textContent ?? ""'));
    }
    expect(focused).toBe('Totals');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#totals-title');
    // Every form control has a label.
    await page.goto(`${serve.url}/console/#/sandbox`);
    await page.waitForSelector('#sandbox-title');
    const unlabelled = await page.$$eval('input, select', (controls) => controls.filter((c) => c.closest('label') === null && c.getAttribute('aria-label') === null).length);
    expect(unlabelled).toBe(0);
  });

  it('notifications: the page shows each delivery, duplicates one; a refund this ledger never saw is an unmatched notification', async () => {
    // A refund made through another ledger (another system), whose notifications come to this serve.
    const orderId = newId('ORDUNM');
    sandbox.addOrder('tipay', { orderId, amount: 1_000 });
    const refundId = newId('RFUNM');
    const elsewhere = await cliRefund(['--config', config, '--ledger', join(temp.dir, 'elsewhere.db'), '--provider', 'tipay', '--order', orderId, '--refund-id', refundId, '--amount', '1.00', '--currency', 'CNY', '--notify-url', `${serve.url}/notify/tipay`]);
    expect(elsewhere.refund?.status, elsewhere.stderr).toBe('pending');
    // The provider finishes it and notifies (now, rather than in ten minutes).
    sandbox.settleRefund('tipay', refundId, 'succeeded');
    expect(sandbox.redeliverNotification('tipay', refundId)).toBe(true);
    // (Not notificationsIdle: the first notification is still scheduled, ten minutes out.)
    await vi.waitFor(() => expect(sandbox.notifications().some((d) => d.refundNo === refundId && d.acked)).toBe(true), { timeout: 10_000 });

    await page.goto(`${serve.url}/console/#/sandbox`);
    await page.selectOption('select[name="sandbox-provider"]', 'tipay');
    const section = `[data-notified="${refundId}"]`;
    await page.waitForSelector(`${section} li:has-text("acknowledged")`);
    await page.click(`${section} button:has-text("Duplicate")`);
    // (Polled from here: the strict CSP forbids evaluating a string in the page.)
    await vi.waitFor(async () => expect(await page.$$(`${section} li`)).toHaveLength(3), { timeout: 15_000 });
    expect(sandbox.notifications().filter((d) => d.refundNo === refundId && d.acked)).toHaveLength(3);

    await page.goto(`${serve.url}/console/#/unmatched`);
    const row = await page.waitForSelector(`tr:has-text("${refundId}")`);
    expect(await row.textContent()).toMatch(/tipay.*3/);
    await shot('unmatched');
  });

  it('shows totals per provider and status', async () => {
    await page.goto(`${serve.url}/console/#/totals`);
    const rows = await page.waitForSelector('#totals-title ~ table');
    expect(await rows.textContent()).toMatch(/tipay\s*succeeded/);
    await shot('totals');
    // Every refund of the run, some final: the README's picture (docs/console.png), replaced only when asked.
    await page.goto(`${serve.url}/console/#/refunds`);
    await page.waitForSelector('tr[data-refund-id]');
    await shot('refunds-all');
    if (process.env['REFUNDKIT_UPDATE_SCREENSHOT'] === '1') copyFileSync(join(ARTIFACTS, 'refunds-all.png'), join(ROOT, 'docs', 'console.png'));
  });

  it('a page whose DNS name is re-pointed at 127.0.0.1 (DNS rebinding) cannot read or drive the console', async () => {
    // A browser that resolves rebind.example to this machine, as a rebinding attacker's DNS would make it.
    const rebinding = await launchBrowser(join(temp.dir, 'profile-rebinding'), ['--host-resolver-rules=MAP rebind.example 127.0.0.1']);
    try {
      const attacker = await rebinding.newPage();
      const port = new URL(serve.url).port;
      const answer = await attacker.goto(`http://rebind.example:${port}/console/api/refunds`);
      expect(answer?.status()).toBe(403);
      expect(await answer?.text()).toContain('console_host_refused');
      // Its script, same-origin with rebind.example, cannot arm a fault either.
      const armed = await attacker.evaluate(async (url) => {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'tipay', fault: 'http-500' }) });
        return response.status;
      }, `http://rebind.example:${port}/console/api/sandbox/faults`);
      expect(armed).toBe(403);
      expect(sandbox.armedFaults()).toEqual([]);
    } finally {
      await rebinding.close();
    }
  });

  it('a console beyond loopback without a token refuses every request; with the token it opens', async () => {
    const open = await startServe(['--config', config, '--ledger', ledger, '--host', '0.0.0.0']);
    try {
      const port = new URL(open.url).port;
      const refused = await page.goto(`http://127.0.0.1:${port}/console/`);
      expect(refused?.status()).toBe(403);
      expect(await refused?.text()).toContain('console_token_required');
      expect(open.stderr()).toContain('the console refuses every request');
    } finally {
      await open.stop();
    }
    const token = 'browser-test-token-5f1c';
    const guarded = await startServe(['--config', config, '--ledger', ledger, '--host', '0.0.0.0'], { REFUNDKIT_CONSOLE_TOKEN: token });
    try {
      const port = new URL(guarded.url).port;
      const without = await page.goto(`http://127.0.0.1:${port}/console/`);
      expect(without?.status()).toBe(401);
      await page.goto(`http://127.0.0.1:${port}/console/?token=${token}`);
      // The token went into a cookie and out of the address bar.
      expect(page.url()).toBe(`http://127.0.0.1:${port}/console/`);
      await page.waitForSelector('#refunds-title');
      expect(await page.content()).not.toContain(token);
    } finally {
      await guarded.stop();
    }
  });
});
