/**
 * The generated package READMEs show a request the sandbox accepts (issue 14: "the eftpay, lianke
 * and yima package READMEs use values the sandbox refuses or never show the request"). Each
 * README's example request is read back from the README as printed, sent with that provider's
 * generated client to a started sandbox, and must come back accepted, not refused. The example
 * comes from the spec's example marked `readme: true` in `specs/<provider>/examples/examples.yaml`,
 * built from the sandbox's test credentials and paid orders.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createEftpayClient } from '@refundkit/eftpay';
import { createLiankeClient } from '@refundkit/lianke';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { Secret } from '@refundkit/signing';
import { createYimaClient } from '@refundkit/yima';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readmeRequest } from './readme-requests.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = (provider: string): string => readFileSync(`${root}/generated/${provider}/README.md`, 'utf8');

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ delayMs: 0 });
});
afterAll(async () => {
  await sandbox?.close();
});

describe('the generated README example requests, sent to the sandbox', () => {
  it('eftpay: accepted (return_status 00) for the README order and amount', async () => {
    const request = readmeRequest(readme('eftpay'), 'eftpay');
    const eftpay = createEftpayClient({ baseUrl: sandbox.urls.eftpay, secretCode: new Secret(sandbox.credentials.eftpay.secretCode) });
    const { data } = await eftpay.refund(request as unknown as Parameters<typeof eftpay.refund>[0]);
    expect({ status: data.return_status, text: data.return_char }).toMatchObject({ status: '00' });
    expect(data.refund_no).toBe(request['refund_no']);
  });

  it('lianke: accepted (code SUCCESS) for the README order and amount', async () => {
    const request = readmeRequest(readme('lianke'), 'lianke');
    const lianke = createLiankeClient({ baseUrl: sandbox.urls.lianke });
    const { data } = await lianke.refund(request as unknown as Parameters<typeof lianke.refund>[0]);
    expect({ code: data.code, msg: data.msg }).toMatchObject({ code: 'SUCCESS' });
    expect(data.data?.refund_order_no).toBe(request['refund_no']);
    expect(data.data?.refund_amount).toBe(request['refund_amount']);
  });

  it('yima: accepted (result id 0000) for the README order and amount', async () => {
    const request = readmeRequest(readme('yima'), 'yima');
    const yima = createYimaClient({ baseUrl: sandbox.urls.yima });
    const { data } = await yima.refund(request as unknown as Parameters<typeof yima.refund>[0]);
    expect(data.result).toMatchObject({ id: '0000' });
    expect(data.pos_seq).toBe(request['pos_seq']);
  });
});
