import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { describeDisagreement, disagreements, type Disagreement } from './field-inventory/agreement.js';
import { ALLOWED_DISAGREEMENTS, type AllowedDisagreement } from './field-inventory/allowed-disagreements.js';
import { loadContract } from './field-inventory/contract.js';
import { fieldName, PROVIDERS, readInventory, repoRoot, type Inventory } from './field-inventory/inventory.js';

/**
 * A reviewer holding a provider's document beside its spec must find nothing missing. The
 * document's fields are written down in `docs/providers/<provider>.fields.yaml` (every name its
 * tables and examples print, with the type, length, required-ness and values it states); each is
 * checked against the contract in `specs/<provider>/` (DEVELOPERS.md, "Spec conventions").
 */
const specDir = (provider: string): string => join(repoRoot, 'specs', provider);
const named = (text: string, name: string): boolean => new RegExp(`(^|[^\\w-])${name.replace(/[-]/g, '\\-')}($|[^\\w-])`).test(text);

/** Names the inventory holds that the contract neither declares nor names in a correction note. */
function missingNames(inventory: Inventory, dir: string): string[] {
  const { names, corrections } = loadContract(dir);
  const printed = [...new Set([...inventory.fields.map(fieldName), ...(inventory.root ? [inventory.root] : [])])];
  return printed.filter((n) => !names.has(n) && !named(corrections, n));
}

/**
 * Fields the contract does not have at their place in their message. A correction note excuses
 * only a name the contract declares nowhere (a printed name the spec decides against).
 */
function misplacedFields(inventory: Inventory, dir: string): string[] {
  const contract = loadContract(dir);
  const decidedAgainst = (name: string): boolean => !contract.names.has(name) && named(contract.corrections, name);
  return inventory.fields
    .filter((f) => contract.field(f.message, f.field, f.location) === undefined && !decidedAgainst(fieldName(f)))
    .map((f) => `${f.message} ${f.field}`);
}

/** Every disagreement on required-ness and limits between the inventory and the contract. */
function allDisagreements(inventory: Inventory, dir: string): Disagreement[] {
  const contract = loadContract(dir);
  return inventory.fields.flatMap((f) => {
    const found = contract.field(f.message, f.field, f.location);
    return found ? disagreements(f, found) : [];
  });
}

const allowedFor = (provider: string, d: Disagreement): AllowedDisagreement | undefined =>
  ALLOWED_DISAGREEMENTS.find((a) => a.provider === provider && a.message === d.message && a.fields.includes(d.field) && a.aspect === d.aspect);

describe.each(PROVIDERS)('%s: the field inventory of its document against its contract', (provider) => {
  const inventory = readInventory(provider);

  it('holds the document\'s fields', () => {
    expect(inventory.fields.length).toBeGreaterThan(20);
    expect(inventory.fields.some((f) => f.message === 'refund.request')).toBe(true);
    expect(inventory.fields.some((f) => f.message === 'refund.response')).toBe(true);
  });

  it('every field it names is in the contract, or named by a correction note', () => {
    expect(missingNames(inventory, specDir(provider))).toEqual([]);
  });

  it('every field is at its place in its message, or named by a correction note', () => {
    expect(misplacedFields(inventory, specDir(provider))).toEqual([]);
    if (inventory.root) {
      const contract = loadContract(specDir(provider));
      for (const message of new Set(inventory.fields.map((f) => f.message))) expect(contract.rootName?.(message), message).toBe(inventory.root);
    }
  });

  it('required-ness and lengths agree with the contract, or a note explains why not', () => {
    const unexplained = allDisagreements(inventory, specDir(provider)).filter((d) => !allowedFor(provider, d));
    expect(unexplained.map(describeDisagreement)).toEqual([]);
  });
});

describe('allowed disagreements', () => {
  it.each(ALLOWED_DISAGREEMENTS.map((a) => [`${a.provider} ${a.message} ${a.aspect} ${a.fields.join(', ')}`, a] as const))('%s: the explaining note is still there, and so is the disagreement', (_, allowed) => {
    const contract = loadContract(specDir(allowed.provider));
    const quoted = (notes: readonly string[]): boolean => notes.some((n) => n.replace(/\s+/g, ' ').includes(allowed.quote));
    const found = allDisagreements(readInventory(allowed.provider), specDir(allowed.provider));
    for (const field of allowed.fields) {
      expect(found.some((d) => d.message === allowed.message && d.field === field && d.aspect === allowed.aspect), `${allowed.message} ${field} ${allowed.aspect}`).toBe(true);
      const notes = allowed.noteOn === 'field' ? (contract.field(allowed.message, field)?.notes ?? []) : contract.notesOf(allowed.noteOn);
      expect(quoted(notes), `a note on ${allowed.noteOn === 'field' ? field : allowed.noteOn} saying "${allowed.quote}"`).toBe(true);
    }
  });
});

describe('the checks fail when a spec loses a field', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'refundkit-field-inventory-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('an OpenAPI spec without tipay RefundRequest.refundRequestId', () => {
    const dir = join(scratch, 'tipay');
    cpSync(specDir('tipay'), dir, { recursive: true });
    const spec = parse(readFileSync(join(dir, 'openapi.yaml'), 'utf8'));
    delete spec.components.schemas.RefundRequest.properties.refundRequestId;
    writeFileSync(join(dir, 'openapi.yaml'), stringify(spec));
    expect(misplacedFields(readInventory('tipay'), dir)).toEqual(['refund.request refundRequestId']);
  });

  it('an OpenAPI spec without any eftpay refund_trade_no', () => {
    const dir = join(scratch, 'eftpay');
    cpSync(specDir('eftpay'), dir, { recursive: true });
    const spec = parse(readFileSync(join(dir, 'openapi.yaml'), 'utf8'));
    delete spec.components.schemas.RefundResponse.properties.refund_trade_no;
    writeFileSync(join(dir, 'openapi.yaml'), stringify(spec));
    expect(missingNames(readInventory('eftpay'), dir)).toEqual(['refund_trade_no']);
  });

  it('an XSD without yima system_id, and a JSON Schema without goods_detail price', () => {
    const dir = join(scratch, 'yima');
    cpSync(specDir('yima'), dir, { recursive: true });
    const common = readFileSync(join(dir, 'common.xsd'), 'latin1');
    const without = common.replace(/<xs:element name="system_id"[\s\S]*?<\/xs:element>/, '');
    expect(without).not.toBe(common);
    writeFileSync(join(dir, 'common.xsd'), without, 'latin1');
    const goods = JSON.parse(readFileSync(join(dir, 'goods_detail.schema.json'), 'utf8'));
    delete goods.$defs.GoodsDetailItem.properties.price;
    writeFileSync(join(dir, 'goods_detail.schema.json'), JSON.stringify(goods));
    expect(missingNames(readInventory('yima'), dir)).toEqual(['system_id', 'price']);
  });

  it('a length the spec changes is a disagreement', () => {
    const dir = join(scratch, 'lianke');
    cpSync(specDir('lianke'), dir, { recursive: true });
    const spec = parse(readFileSync(join(dir, 'openapi.yaml'), 'utf8'));
    spec.components.schemas.RefundInfo.properties.operator.maxLength = 20;
    writeFileSync(join(dir, 'openapi.yaml'), stringify(spec));
    expect(allDisagreements(readInventory('lianke'), dir).map(describeDisagreement)).toContain(
      'refund.request operator: the document says maxLength 16, the contract 20',
    );
  });
});
