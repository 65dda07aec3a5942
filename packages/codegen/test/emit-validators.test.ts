import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { compileValidatorModule, UCS2LENGTH_SOURCE } from '../src/ajv/emit-validators.js';

type Validate = ((data: unknown) => boolean) & { errors?: { keyword: string; instancePath: string; params: Record<string, unknown> }[] | null };

// Written inside the package so the emitted `ajv/dist/runtime/*` imports resolve as they will in a generated package.
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

  it('inlines ucs2length: the emitted module imports nothing from ajv at run time', () => {
    const { code } = compileValidatorModule({ id: 'https://refundkit.dev/specs/t', defs: { A: { type: 'string', minLength: 1, maxLength: 2 } }, messages: { 'a.request': 'A' } });
    expect(code).not.toMatch(/\bajv\//);
    expect(code).not.toMatch(/^import /m);
    expect(code).toContain('function ucs2length(');
  });

  it('counts characters as ajv runtime ucs2length does, surrogate pairs and lone surrogates included', () => {
    const inlined = new Function(`${UCS2LENGTH_SOURCE}\nreturn ucs2length;`)() as (text: string) => number;
    const ajvLength = (createRequire(import.meta.url)('ajv/dist/runtime/ucs2length.js') as { default: (text: string) => number }).default;
    for (const text of ['', 'a', '退款', '😀', '😀a', '\ud800', '\udc00', '\ud800\ud800', '\udc00\ud800', 'a\ud83d']) expect(inlined(text)).toBe(ajvLength(text));
    const units = fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0xd800, max: 0xdfff })).map((unit) => String.fromCharCode(unit));
    fc.assert(fc.property(fc.array(units, { maxLength: 12 }), (parts) => inlined(parts.join('')) === ajvLength(parts.join(''))));
  });

  it('counts maxLength in characters (code points), not bytes or UTF-16 units', async () => {
    const v = await load({ S: { type: 'string', maxLength: 3 } }, { 's.request': 'S' });
    const validate = v['s.request']!;
    expect(validate('退款单')).toBe(true);
    expect(validate('😀😀😀')).toBe(true);
    expect(validate('退款单号')).toBe(false);
    expect(validate.errors?.[0]?.keyword).toBe('maxLength');
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
