// Each provider's canned refund answer, as the stub server sends it: the document's own example
// answer from specs/<provider>/examples (contract-valid, checked by test/contracts), signed where
// the provider signs answers, with @refundkit/signing and the sandbox's test keys:
// - easypay: `rspSign`, SHA256withRSA by "EasyPay's" test key (packages/sandbox/keys), which the
//   client verifies with test-easypay-public.pem;
// - eftpay: `sign`, SHA-256 of the sandbox's test secret code and the sorted fields (the example
//   keeps its empty fields, as eftPay sends them);
// - tipay: unsigned, like the sandbox's answers (Ti-Pay documents no answer signature);
// - lianke, yima: no answer signature exists; yima's answer is the example's GBK bytes as is.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Secret, createEasypaySigner, easypaySigningString, eftpaySigningString } from '@refundkit/signing';
import { CREDENTIALS } from './fixtures.mjs';

const example = (provider, file) => readFileSync(new URL(`../../specs/${provider}/examples/${file}`, import.meta.url));
const json = (value) => ({ contentType: 'application/json; charset=utf-8', body: Buffer.from(JSON.stringify(value), 'utf8') });

export function cannedAnswers() {
  const easypayAnswer = JSON.parse(example('easypay', 'refund.response.json').toString('utf8'));
  const easypaySigner = createEasypaySigner({ privateKey: new Secret(CREDENTIALS.easypay.easypayPrivateKeyPem) });
  const { rspHeader, rspBody } = easypayAnswer;
  const easypay = { rspHeader, rspBody, rspSign: easypaySigner.signString(easypaySigningString(rspHeader, rspBody)) };

  const { sign: _documentSign, ...eftpayFields } = JSON.parse(example('eftpay', 'refund.response.json').toString('utf8'));
  const eftpaySign = createHash('sha256').update(CREDENTIALS.eftpay.secretCode + eftpaySigningString(eftpayFields, 'skip'), 'utf8').digest('hex');

  return {
    easypay: json(easypay),
    eftpay: json({ ...eftpayFields, sign: eftpaySign }),
    lianke: json(JSON.parse(example('lianke', 'refund.response.json').toString('utf8'))),
    tipay: json(JSON.parse(example('tipay', 'refund.response.json').toString('utf8'))),
    yima: { contentType: 'text/xml; charset=GBK', body: example('yima', 'refund.response.xml') },
  };
}
