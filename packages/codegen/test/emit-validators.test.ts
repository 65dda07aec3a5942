import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AJV_DEPENDENCY, BYTE_LENGTH_DEPENDENCY, compileValidatorModule } from '../src/ajv/emit-validators.js';

type Validate = ((data: unknown) => boolean) & { errors?: { keyword: string; instancePath: string; params: Record<string, unknown>; message?: string }[] | null };

// Written inside the package so the emitted imports (`@refundkit/runtime`) resolve as they will in a generated package.
const tmp = join(import.meta.dirname, '.tmp-validators');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function load(defs: Record<string, unknown>, messages: Record<string, string>): Promise<Record<string, Validate>> {
  const { code, exportNames } = compileValidatorModule({ id: 'https://refundkit.dev/specs/test', defs, messages });
  mkdirSync(tmp, { recursive: true });
  const file = join(tmp, `v${Math.random().toString(36).slice(2)}.mjs`);
  const table = Object.entries(exportNames).map(([m, local]) => `${JSON.stringify(m)}: ${local}`);
  writeFileSync(file, `${code}\nexport default { ${table.join(', ')} };\n`);
  return ((await import(file)) as { default: Record<string, Validate> }).default;
}

describe('compileValidatorModule', () => {
  it('emits ESM without require() and with x- extensions and example accepted in strict mode', () => {
    const { code } = compileValidatorModule({
      id: 'https://refundkit.dev/specs/t',
      defs: { A: { type: 'string', maxLength: 2, example: 'ab', 'x-refundkit-assumption': 'why' } },
      messages: { 'a.request': 'A' },
    });
    expect(code).not.toMatch(/require\(/);
    expect(code).not.toMatch(/^export /m);
  });

  it('takes ucs2length from @refundkit/runtime: the emitted module imports nothing from ajv at run time', () => {
    const { code, runtimeDependencies } = compileValidatorModule({ id: 'https://refundkit.dev/specs/t', defs: { A: { type: 'string', minLength: 1, maxLength: 2 } }, messages: { 'a.request': 'A' } });
    expect(code).not.toMatch(/\bajv\//);
    expect(code.match(/^import .*$/gm)).toEqual(["import { ucs2length as ajvRuntime0Function } from '@refundkit/runtime';"]);
    expect(runtimeDependencies).toEqual({});
  });

  it('imports a helper the runtime does not provide from ajv, and then lists ajv as a dependency', async () => {
    const defs = { O: { const: { currency: 'CNY' } } };
    const { code, runtimeDependencies } = compileValidatorModule({ id: 'https://refundkit.dev/specs/t', defs, messages: { 'o.request': 'O' } });
    expect(code).toMatch(/^import \* as ajvRuntime0Module from "ajv\/dist\/runtime\/equal\.js";$/m);
    expect(runtimeDependencies).toEqual(AJV_DEPENDENCY);
    const validate = (await load(defs, { 'o.request': 'O' }))['o.request']!;
    expect(validate({ currency: 'CNY' })).toBe(true);
    expect(validate({ currency: 'HKD' })).toBe(false);
  });

  it('counts maxLength in characters (code points), not bytes or UTF-16 units', async () => {
    const v = await load({ S: { type: 'string', maxLength: 3 } }, { 's.request': 'S' });
    const validate = v['s.request']!;
    expect(validate('退款单')).toBe(true);
    expect(validate('😀😀😀')).toBe(true);
    expect(validate('退款单号')).toBe(false);
    expect(validate.errors?.[0]?.keyword).toBe('maxLength');
  });

  it('counts maxBytes in bytes of the named encoding (GBK: ASCII 1, Chinese 2, the euro sign 1), and imports iconv-lite only then', async () => {
    const defs = { S: { type: 'string', maxBytes: { limit: 8, encoding: 'GBK' } } };
    const { code, runtimeDependencies } = compileValidatorModule({ id: 'https://refundkit.dev/specs/t', defs, messages: { 's.request': 'S' } });
    expect(code).toMatch(/^import iconv from 'iconv-lite';$/m);
    expect(runtimeDependencies).toEqual(BYTE_LENGTH_DEPENDENCY);
    const validate = (await load(defs, { 's.request': 'S' }))['s.request']!;
    expect(validate('39493002')).toBe(true); // 8 ASCII characters
    expect(validate('翼码商户')).toBe(true); // 4 characters, 8 bytes
    expect(validate('€€€€€€€€')).toBe(true); // 0x80 each in GBK
    expect(validate('翼码商户号')).toBe(false); // 5 characters, 10 bytes
    expect(validate.errors).toEqual([expect.objectContaining({ keyword: 'maxBytes', instancePath: '', params: { limit: 8, encoding: 'GBK', bytes: 10 }, message: 'must not be more than 8 bytes of text in GBK, is 10' })]);
    expect(validate('😀')).toBe(true); // no GBK bytes to count: the codec refuses it (rule encoding)
    expect(validate(12)).toBe(false); // still a string
    expect(validate.errors?.map((e) => e.keyword)).toEqual(['type']);
  });

  it('counts maxBytes of a JSON value as the bytes of its compact JSON text (json: true)', async () => {
    const defs = { J: { type: 'array', maxBytes: { limit: 12, encoding: 'GBK', json: true } } };
    const validate = (await load(defs, { 'j.request': 'J' }))['j.request']!;
    expect(validate(['特价手机'])).toBe(true); // ["特价手机"]: 4 + 8 bytes
    expect(validate(['特价手机号'])).toBe(false);
    expect(validate.errors?.[0]?.params).toEqual({ limit: 12, encoding: 'GBK', bytes: 14 });
  });

  it('leaves iconv-lite out of modules that count no bytes', () => {
    const { code, runtimeDependencies } = compileValidatorModule({ id: 'https://refundkit.dev/specs/t', defs: { A: { type: 'string', maxLength: 2 } }, messages: { 'a.request': 'A' } });
    expect(code).not.toMatch(/iconv/);
    expect(runtimeDependencies).toEqual({});
  });

  it('refuses a malformed maxBytes', () => {
    const compile = (maxBytes: unknown): unknown => compileValidatorModule({ id: 'https://refundkit.dev/specs/t', defs: { A: { type: 'string', maxBytes } }, messages: { 'a.request': 'A' } });
    expect(() => compile(8)).toThrow(/maxBytes value must be \["object"\]/);
    expect(() => compile({ limit: 2.5, encoding: 'GBK' })).toThrow(/maxBytes must be \{ limit: <whole number>, encoding: <label>, json\?: <boolean> \}, not \{"limit":2\.5,"encoding":"GBK"\}/);
    expect(() => compile({ limit: 8 })).toThrow(/maxBytes must be \{ limit/);
  });

  it('reports every failing field (allErrors) and follows $defs references', async () => {
    const v = await load(
      {
        Req: { type: 'object', additionalProperties: false, required: ['a'], properties: { a: { $ref: '#/$defs/Amount' }, b: { type: 'integer', minimum: 1 } } },
        Amount: { type: 'string', pattern: '^\\d+(\\.\\d{1,2})?$' },
      },
      { 'refund.request': 'Req' },
    );
    const validate = v['refund.request']!;
    expect(validate({ a: '1.00', b: 3 })).toBe(true);
    expect(validate({ a: '1.001', b: 0, c: true })).toBe(false);
    expect(validate.errors?.map((e) => e.keyword).sort()).toEqual(['additionalProperties', 'minimum', 'pattern']);
  });

  it('does not enforce format (patterns validate; format is an annotation)', async () => {
    const v = await load({ U: { type: 'string', format: 'uri' } }, { 'u.request': 'U' });
    expect(v['u.request']!('www.baidu.com')).toBe(true);
  });

  it('compiles a schema shared by two messages once', async () => {
    const { code, exportNames } = compileValidatorModule({ id: 'https://x/y', defs: { R: { type: 'object' } }, messages: { 'refund.response': 'R', 'queryRefund.response': 'R' } });
    expect(exportNames['refund.response']).toBe(exportNames['queryRefund.response']);
    expect(code.match(/^function validate\d+/gm)).toHaveLength(1);
  });

  it('refuses a message pointing at an unknown schema', () => {
    expect(() => compileValidatorModule({ id: 'https://x/y', defs: {}, messages: { 'a.request': 'Missing' } })).toThrow(/unknown schema Missing/);
  });
});
