import { describe, expect, it } from 'vitest';
import { importLines } from '../src/emit/imports.js';
import { schemeEmitters } from '../src/client/schemes/index.js';

describe('importLines', () => {
  it('writes one import per module, in declaration order, each name once, and skips empty modules', () => {
    expect(importLines({ 'node:crypto': ['randomUUID', 'randomUUID'], 'node:fs': [], '@refundkit/signing': ['Secret', 'type MaybeSecret'] })).toEqual([
      "import { randomUUID } from 'node:crypto';",
      "import { Secret, type MaybeSecret } from '@refundkit/signing';",
    ]);
    expect(importLines(undefined)).toEqual([]);
  });
});

describe('scheme emitters declare what their code imports', () => {
  // The compiler checks the other direction (a generated package that lacks an import does not build).
  it.each(Object.entries(schemeEmitters))('%s: every declared import is used by the code it is declared for', (_name, scheme) => {
    const moduleCode = [...scheme.setup, ...(scheme.declarations ?? [])].join('\n');
    for (const name of Object.values(scheme.moduleImports ?? {}).flat()) expect(moduleCode).toMatch(new RegExp(`\\b${name}\\b`));
    const readmeCode = scheme.readmeOptions.join('\n');
    for (const name of Object.values(scheme.readmeImports ?? {}).flat()) expect(readmeCode).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('easypay builds reqId with node:crypto and reads its keys with node:fs in the README', () => {
    expect(schemeEmitters['easypay-rsa']?.moduleImports).toEqual({ 'node:crypto': ['randomUUID'] });
    expect(schemeEmitters['easypay-rsa']?.readmeImports).toEqual({ 'node:fs': ['readFileSync'] });
  });
});
