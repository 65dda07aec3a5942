/**
 * `refundkit validate` against every example each spec lists in examples/examples.yaml: the
 * positive ones exit 0, each negative one exits 1 naming the field it `rejects`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeMessage } from '@refundkit/yima';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, parseExamples, PROVIDERS, REPO_ROOT, tempDir, type ExampleEntry } from './support.js';

const examples = PROVIDERS.flatMap((provider) => {
  const dir = join('specs', provider, 'examples');
  return parseExamples(readFileSync(join(REPO_ROOT, dir, 'examples.yaml'), 'utf8')).map((entry) => ({ provider, path: join(dir, entry.file), ...entry }));
});

let tmp: { dir: string; remove: () => void };
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp?.remove());

/** Runs validate from the repository root, with the example's path relative to it (io.cwd). */
const validate = (provider: string, message: string, file: string): ReturnType<typeof cli> => cli(['validate', '--provider', provider, '--message', message, file], { cwd: REPO_ROOT });

describe('validate: the examples of every spec', () => {
  it('reads every manifest: positive and negative examples for each of the five providers', () => {
    for (const provider of PROVIDERS) {
      const mine = examples.filter((e) => e.provider === provider);
      expect(mine.some((e) => e.valid), provider).toBe(true);
      expect(mine.some((e) => !e.valid && e.rejects), provider).toBe(true);
    }
  });

  it.each(examples.filter((e) => e.valid))('$provider $message $file: valid, exit 0', async ({ provider, message, path }) => {
    const result = await validate(provider, message, path);
    expect(result.code, result.out + result.err).toBe(0);
    expect(result.out).toBe(`${path}: valid ${provider} ${message}\n`);
    expect(result.err).toBe('');
  });

  it.each(examples.filter((e): e is typeof e & Required<Pick<ExampleEntry, 'rejects'>> => !e.valid))(
    '$provider $message $file: invalid, exit 1, names $rejects',
    async ({ provider, message, path, rejects }) => {
      const result = await validate(provider, message, path);
      expect(result.code).toBe(1);
      const lines = result.out.split('\n').filter(Boolean);
      expect(lines[0]).toBe(`${path}: invalid ${provider} ${message}`);
      // One line per failing field: "  <path>: <rule>: <message>"; the rejected field is among them.
      const fields = lines.slice(1).map((line) => /^ {2}(\S+): /.exec(line)?.[1]);
      expect(fields.length).toBeGreaterThan(0);
      expect(fields).toContain(rejects);
      expect(result.err).toBe('');
    },
  );
});

describe('validate: messages, files, formats', () => {
  it.each(PROVIDERS)('%s: an unknown message name exits 1 listing the contract messages', async (provider) => {
    const result = await validate(provider, 'refund.nope', join('specs', provider, 'examples', 'examples.yaml'));
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toMatch(new RegExp(`^refundkit: --message must be one of the ${provider} contract's messages: .*\\brefund\\.request\\b.*\\brefund\\.response\\b`));
    expect(result.err).toContain('queryRefund.request');
  });

  it('without --message, the messages are listed too', async () => {
    const result = await cli(['validate', '--provider', 'tipay', 'x.json'], { cwd: REPO_ROOT });
    expect(result.code).toBe(1);
    expect(result.err).toContain('refundNotification.request');
  });

  it('an unknown provider, a missing FILE, two FILEs, an unreadable FILE: exit 1', async () => {
    const cases: [string[], RegExp][] = [
      [['validate', '--provider', 'paypal', '--message', 'refund.request', 'x.json'], /--provider must be one of/],
      [['validate', '--provider', 'tipay', '--message', 'refund.request'], /give the message FILE/],
      [['validate', '--provider', 'tipay', '--message', 'refund.request', 'a.json', 'b.json'], /give one FILE/],
      [['validate', '--provider', 'tipay', '--message', 'refund.request', 'no-such-file.json'], /cannot read no-such-file\.json/],
    ];
    for (const [argv, reason] of cases) {
      const result = await cli(argv, { cwd: tmp.dir });
      expect(result.code, argv.join(' ')).toBe(1);
      expect(result.err).toMatch(reason);
    }
  });

  it('a file that is not JSON, and XML given to a JSON provider', async () => {
    writeFileSync(join(tmp.dir, 'broken.json'), '{"merchantNo": ');
    const broken = await cli(['validate', '--provider', 'tipay', '--message', 'refund.request', 'broken.json'], { cwd: tmp.dir });
    expect(broken.code).toBe(1);
    expect(broken.out).toBe('broken.json: not JSON\n');
    const xml = await validate('tipay', 'refund.request', 'specs/yima/examples/refund.request.xml');
    expect(xml.code).toBe(1);
    expect(xml.err).toContain('tipay messages are JSON');
  });

  it("yima: the document's example is GBK bytes (not UTF-8) and validates", async () => {
    const bytes = readFileSync(join(REPO_ROOT, 'specs/yima/examples/refund.request.xml'));
    expect(bytes.some((b) => b >= 0x80)).toBe(true);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    expect(new TextDecoder('gbk').decode(bytes)).toContain('特价手机');
    const result = await validate('yima', 'refund.request', 'specs/yima/examples/refund.request.xml');
    expect(result.code).toBe(0);
  });

  it('yima: a GBK XML file written here (Chinese goods names) validates; the same with a 12-character pos_seq names pos_seq', async () => {
    const message = {
      request_type: 'barcode_refundbycashfee_request',
      isspid: 'SBX00001',
      pos_id: 'SBXPOS0001',
      store_id: 'SBXSTORE01',
      pos_seq: 'YM-GBK-0000000001',
      system_id: '9999',
      barcode_refundbycashfee_request: {
        pay_type: '503',
        tx_amt: 1050,
        org_pos_seq: 'YM-PAID-000000001',
        goods_detail: [{ goods_id: 'tea-01', goods_name: '龙井茶叶（特级）', quantity: 2, price: 525 }],
      },
    } as const;
    const bytes = writeMessage('refund.request', message as never);
    expect(Buffer.from(bytes).toString('latin1')).toMatch(/encoding="GBK"/i);
    expect(Buffer.from(bytes).includes(Buffer.from('龙井', 'utf8'))).toBe(false); // not UTF-8 on disk
    writeFileSync(join(tmp.dir, 'gbk.xml'), bytes);
    const valid = await cli(['validate', '--provider', 'yima', '--message', 'refund.request', 'gbk.xml'], { cwd: tmp.dir });
    expect(valid.code, valid.out + valid.err).toBe(0);
    expect(valid.out).toBe('gbk.xml: valid yima refund.request\n');

    const short = Buffer.from(Buffer.from(bytes).toString('latin1').replace('YM-GBK-0000000001', '151130000004'), 'latin1');
    writeFileSync(join(tmp.dir, 'gbk-short.xml'), short);
    const invalid = await cli(['validate', '--provider', 'yima', '--message', 'refund.request', 'gbk-short.xml'], { cwd: tmp.dir });
    expect(invalid.code).toBe(1);
    expect(invalid.out).toMatch(/^ {2}pos_seq: minLength 13: /m);

    // The request is not a response: validating it as refund.response names what is missing.
    const asResponse = await cli(['validate', '--provider', 'yima', '--message', 'refund.response', 'gbk.xml'], { cwd: tmp.dir });
    expect(asResponse.code).toBe(1);
  });
});
