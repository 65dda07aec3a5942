import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

const dir = mkdtempSync(join(tmpdir(), 'refundkit-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a config file that is not valid JSON', () => {
  it('is refused (with the faulty line where Node gives its position), quoting none of the file (it may hold a secret)', () => {
    writeFileSync(join(dir, 'bad.json'), '{\n  "providers": {\n    "eftpay": { "secretCode": s3cr3t-unquoted }\n  }\n}\n');
    let message = '';
    try {
      loadConfig('bad.json', {}, dir);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^config bad.json is not valid JSON( \(line 3\))?$/);
    expect(message).not.toContain('s3cr3t');
  });
});
