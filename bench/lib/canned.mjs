// Each provider's canned refund answer, as the stub server sends it: the document's own example
// answer from specs/<provider>/examples (contract-valid, checked by test/contracts), with the
// identifiers the facade's echo rule compares (refund and order number, merchant, amount) taken
// from the request it answers, and signed where the provider signs answers, with
// @refundkit/signing and the sandbox's test keys:
// - easypay: `rspSign`, SHA256withRSA by "EasyPay's" test key (packages/sandbox/keys), which the
//   client verifies with test-easypay-public.pem;
// - eftpay: `sign`, SHA-256 of the sandbox's test secret code and the sorted fields (the example
//   keeps its empty fields, as eftPay sends them);
// - tipay: unsigned, like the sandbox's answers (Ti-Pay documents no answer signature);
// - lianke, yima: no answer signature exists; yima's answer is the example's GBK bytes with the
//   echoed (ASCII) elements replaced.
// Both sides of the benchmark get the same answers, built the same way, in the stub's process.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Secret, createEasypaySigner, easypaySigningString, eftpaySigningString } from '@refundkit/signing';
import { CREDENTIALS } from './fixtures.mjs';

const example = (provider, file) => readFileSync(new URL(`../../specs/${provider}/examples/${file}`, import.meta.url));
const exampleJson = (provider) => JSON.parse(example(provider, 'refund.response.json').toString('utf8'));
const json = (value) => Buffer.from(JSON.stringify(value), 'utf8');

/** provider → (request body bytes) → answer body bytes; and each answer's content type. */
export function cannedAnswers() {
  const easypayExample = exampleJson('easypay');
  const easypaySigner = createEasypaySigner({ privateKey: new Secret(CREDENTIALS.easypay.easypayPrivateKeyPem) });
  const { sign: _documentSign, ...eftpayExample } = exampleJson('eftpay');
  const liankeExample = exampleJson('lianke');
  const tipayExample = exampleJson('tipay');
  const yimaExample = example('yima', 'refund.response.xml').toString('latin1'); // GBK bytes, one char per byte
  const jsonType = 'application/json; charset=utf-8';
  return {
    easypay: {
      contentType: jsonType,
      answer(body) {
        const { reqBody } = JSON.parse(body);
        const order = reqBody.reqOrderInfo;
        const rspHeader = easypayExample.rspHeader;
        const rspBody = {
          ...easypayExample.rspBody,
          respOrderInfo: { ...easypayExample.rspBody.respOrderInfo, orgTrace: order.orgTrace, oriOrgTrace: order.oriOrgTrace, refundAmount: order.refundAmount, mchtCode: reqBody.reqInfo.mchtCode },
        };
        return json({ rspHeader, rspBody, rspSign: easypaySigner.signString(easypaySigningString(rspHeader, rspBody)) });
      },
    },
    eftpay: {
      contentType: jsonType,
      answer(body) {
        const request = JSON.parse(body);
        const fields = { ...eftpayExample, refund_no: request.refund_no, out_trade_no: request.out_trade_no, user_confirm_key: request.user_confirm_key, transaction_amount: request.transaction_amount };
        const sign = createHash('sha256').update(CREDENTIALS.eftpay.secretCode + eftpaySigningString(fields, 'skip'), 'utf8').digest('hex');
        return json({ ...fields, sign });
      },
    },
    lianke: {
      contentType: jsonType,
      answer(body) {
        const request = JSON.parse(body);
        return json({ ...liankeExample, data: { ...liankeExample.data, store_no: request.store_no, order_no: request.order_no, refund_order_no: request.refund_no, refund_amount: request.refund_amount } });
      },
    },
    tipay: {
      contentType: jsonType,
      answer(body) {
        const request = JSON.parse(body);
        return json({ ...tipayExample, data: { ...tipayExample.data, merchantNo: request.merchantNo, orderId: request.orderId, refundRequestId: request.refundRequestId, refundAmount: request.refundAmount } });
      },
    },
    yima: {
      contentType: 'text/xml; charset=GBK',
      answer(body) {
        const request = body.toString('latin1');
        let text = yimaExample;
        for (const element of ['isspid', 'pos_id', 'pos_seq']) {
          const value = new RegExp(`<${element}>([^<]*)</${element}>`).exec(request)?.[1] ?? '';
          text = text.replace(new RegExp(`<${element}>[^<]*</${element}>`), `<${element}>${value}</${element}>`);
        }
        return Buffer.from(text, 'latin1');
      },
    },
  };
}
