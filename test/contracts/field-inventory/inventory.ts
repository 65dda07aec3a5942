import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * One field of a provider document, as `docs/providers/<provider>.fields.yaml` records it
 * (format: docs/providers/README.md, "Field inventories"). Only what the document states is set.
 */
export interface InventoryField {
  /** The contract message the document's table or example describes, e.g. `refund.request`. */
  readonly message: string;
  /** Dotted path from the message root; `[]` marks the items of a list (`itemlist[].price`). */
  readonly field: string;
  /** `header`: an HTTP header parameter rather than a body field. */
  readonly location?: 'header';
  /** The type as the document writes it (`String(12)`, `整数`, `object`). */
  readonly type?: string;
  /** `true` when the document marks it required, `false` when it marks it optional. */
  readonly required?: boolean;
  readonly maxLength?: number;
  readonly minLength?: number;
  /** At most this many digits (the document's `Number(N)`, "不超过10位"). */
  readonly maxDigits?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  /** The values the document lists for it (enumeration or fixed value). */
  readonly values?: readonly string[];
  /** Where the document shows it: its field tables, its examples, or both. */
  readonly in: readonly ('table' | 'example')[];
}

export interface Inventory {
  readonly provider: string;
  /** The provider document's number, `000` … `004` ("seed 000" in the specs' notes). */
  readonly document: string;
  readonly title: string;
  /** The root element of an XML document (yima), which the field paths start below. */
  readonly root?: string;
  readonly fields: readonly InventoryField[];
}

export const repoRoot = join(import.meta.dirname, '../../..');
/** Every provider with a spec folder: each must have an inventory. */
export const PROVIDERS = readdirSync(join(repoRoot, 'specs'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

const TOP_KEYS = new Set(['provider', 'document', 'title', 'root', 'fields']);
const FIELD_KEYS = new Set(['message', 'field', 'location', 'type', 'required', 'maxLength', 'minLength', 'maxDigits', 'minimum', 'maximum', 'values', 'in']);
const NUMBER_KEYS = ['maxLength', 'minLength', 'maxDigits', 'minimum', 'maximum'] as const;
const MESSAGE = /^(refund|queryRefund|refundNotification)\.(request|response)$/;
const PATH = /^[A-Za-z_][\w-]*(\[\])?(\.[A-Za-z_][\w-]*(\[\])?)*$/;

/**
 * Reads and checks one inventory: a misspelt key or a malformed entry is an error naming the
 * entry, so no fact is silently ignored by the checks that read it.
 */
export function readInventory(provider: string, dir = join(repoRoot, 'docs/providers')): Inventory {
  const file = `${provider}.fields.yaml`;
  const doc = parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(doc)) if (!TOP_KEYS.has(key)) problems.push(`unknown key ${key}`);
  if (doc['provider'] !== provider) problems.push(`provider is ${String(doc['provider'])}, not ${provider}`);
  if (typeof doc['document'] !== 'string' || !/^\d{3}$/.test(doc['document'])) problems.push('document must be a three-digit string');
  if (typeof doc['title'] !== 'string') problems.push('title must be a string');
  if (!Array.isArray(doc['fields'])) problems.push('fields must be a list');
  const seen = new Set<string>();
  for (const [i, raw] of ((doc['fields'] as unknown[]) ?? []).entries()) {
    const entry = raw as Record<string, unknown>;
    const at = `fields[${i}] ${String(entry['message'])} ${String(entry['field'])}`;
    for (const key of Object.keys(entry)) if (!FIELD_KEYS.has(key)) problems.push(`${at}: unknown key ${key}`);
    if (typeof entry['message'] !== 'string' || !MESSAGE.test(entry['message'])) problems.push(`${at}: message must be <operation>.<request|response>`);
    if (typeof entry['field'] !== 'string' || !PATH.test(entry['field'])) problems.push(`${at}: field must be a dotted path`);
    if (entry['location'] !== undefined && entry['location'] !== 'header') problems.push(`${at}: location can only be header`);
    if (entry['type'] !== undefined && typeof entry['type'] !== 'string') problems.push(`${at}: type must be a string`);
    if (entry['required'] !== undefined && typeof entry['required'] !== 'boolean') problems.push(`${at}: required must be true or false`);
    for (const key of NUMBER_KEYS) if (entry[key] !== undefined && !Number.isSafeInteger(entry[key])) problems.push(`${at}: ${key} must be an integer`);
    if (entry['values'] !== undefined && !(Array.isArray(entry['values']) && entry['values'].every((v) => typeof v === 'string'))) problems.push(`${at}: values must be a list of strings`);
    const shown = entry['in'];
    if (!Array.isArray(shown) || shown.length === 0 || !shown.every((w) => w === 'table' || w === 'example')) problems.push(`${at}: in must list table and/or example`);
    const key = `${String(entry['message'])} ${String(entry['location'] ?? 'body')} ${String(entry['field'])}`;
    if (seen.has(key)) problems.push(`${at}: listed twice`);
    seen.add(key);
  }
  if (problems.length > 0) throw new Error(`docs/providers/${file} is malformed:\n  ${problems.join('\n  ')}`);
  return doc as unknown as Inventory;
}

/** The field's own name: the last segment of its path, without `[]`. */
export function fieldName(field: InventoryField): string {
  return field.field.split('.').at(-1)!.replace(/\[\]$/, '');
}
