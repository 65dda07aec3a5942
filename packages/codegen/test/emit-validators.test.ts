import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AJV_DEPENDENCY, compileValidatorModule } from '../src/ajv/emit-validators.js';

type Validate = ((data: unknown) => boolean) & { errors?: { keyword: string; instancePath: string; params: Record<string, unknown> }[] | null };

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
