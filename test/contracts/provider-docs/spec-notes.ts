import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Element } from 'xml-js';
import { parse } from 'yaml';
import { readXsd } from '../field-inventory/xsd-fields.js';

/** Where a spec carries assumption or correction notes, and of which kind. */
export interface NoteSite {
  /** A readable location: `ReqHeader.reqId`, `POST /yqt/trade/tradeQuery`, `common.xsd ResponseFields > pos_seq`. */
  readonly location: string;
  readonly kind: 'assumption' | 'correction';
}

/** `components/schemas/X/properties/y` → `X.y`; operations as `POST /path`; the rest dotted. */
function openApiLocation(path: readonly string[]): string {
  if (path.length === 0) return '(document)';
  const [head, second, third, ...rest] = path;
  if (head === 'components' && second === 'schemas' && third) {
    return [third, ...rest].join('.').replaceAll('.properties.', '.');
  }
  if (head === 'components' && second && third) return [second, third, ...rest].join('.');
  if ((head === 'paths' || head === 'webhooks') && second) {
    const where = head === 'paths' ? second : `webhook ${second}`;
    if (!third) return where;
    return [`${third.toUpperCase()} ${where}`, ...rest].join('.');
  }
  return path.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function openApiNotes(file: string): NoteSite[] {
  const out: NoteSite[] = [];
  const visit = (value: unknown, path: string[]): void => {
    if (Array.isArray(value)) return value.forEach((v, i) => visit(v, [...path, String(i)]));
    if (value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    for (const kind of ['assumption', 'correction'] as const) {
      if (record[`x-refundkit-${kind}`] !== undefined) out.push({ location: openApiLocation(path), kind });
    }
    for (const [key, child] of Object.entries(record)) visit(child, [...path, key]);
  };
  visit(parse(readFileSync(file, 'utf8')), []);
  return out;
}

const local = (name: string | undefined): string => (name ?? '').replace(/^.*:/, '');

/** Notes of an XSD, located by the named declarations around them (`common.xsd ResponseFields > pos_seq`). */
function xsdNotes(dir: string, file: string): NoteSite[] {
  const out: NoteSite[] = [];
  const visit = (node: Element, names: string[]): void => {
    const name = local(node.name);
    if (node.name?.startsWith('refundkit:') && (name === 'assumption' || name === 'correction')) {
      out.push({ location: [file, names.join(' > ')].filter(Boolean).join(' '), kind: name });
      return;
    }
    const own = node.attributes?.['name'];
    const inner = typeof own === 'string' && node.name?.startsWith('xs:') ? [...names, own] : names;
    for (const child of node.elements ?? []) if (child.type === 'element') visit(child, inner);
  };
  visit(readXsd(join(dir, file)), []);
  return out;
}

/** Notes of a JSON Schema file: `goods_detail.schema.json`, `goods_detail.schema.json GoodsDetailItem.quantity`. */
function jsonSchemaNotes(dir: string, file: string): NoteSite[] {
  const out: NoteSite[] = [];
  const visit = (value: unknown, path: string[]): void => {
    if (Array.isArray(value)) return value.forEach((v, i) => visit(v, [...path, String(i)]));
    if (value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    for (const kind of ['assumption', 'correction'] as const) {
      if (record[`x-refundkit-${kind}`] !== undefined) {
        const inner = path.filter((p) => p !== '$defs' && p !== 'properties').join('.');
        out.push({ location: [file, inner].filter(Boolean).join(' '), kind });
      }
    }
    for (const [key, child] of Object.entries(record)) visit(child, [...path, key]);
  };
  visit(JSON.parse(readFileSync(join(dir, file), 'utf8')), []);
  return out;
}

/** Every place a provider's spec carries an assumption or correction note, each place and kind once. */
export function specNoteSites(specDir: string): NoteSite[] {
  const sites = existsSync(join(specDir, 'openapi.yaml'))
    ? openApiNotes(join(specDir, 'openapi.yaml'))
    : readdirSync(specDir)
        .sort()
        .flatMap((f) => (f.endsWith('.xsd') ? xsdNotes(specDir, f) : f.endsWith('.schema.json') ? jsonSchemaNotes(specDir, f) : []));
  const seen = new Set<string>();
  return sites.filter((s) => {
    const key = `${s.location} ${s.kind}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
