import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { xml2js, type Element } from 'xml-js';
import type { ContractField } from './contract-field.js';
import { JsonSchemaDocument, notesOn } from './json-schema-fields.js';

/**
 * Finds fields by path in yima's XSDs: `<message>.xsd` and what it includes, named types and
 * groups resolved, and an element whose text is JSON (`refundkit:json`) looked into through its
 * JSON Schema. Parsed with xml-js, the XML library the codegen already uses.
 */

const local = (name: string | undefined): string => (name ?? '').replace(/^.*:/, '');
const kids = (node: Element, name?: string): Element[] => (node.elements ?? []).filter((e) => e.type === 'element' && (name === undefined || local(e.name) === name));
const attr = (node: Element, name: string): string | undefined => node.attributes?.[name] as string | undefined;
const textOf = (node: Element): string => (node.elements ?? []).map((e) => (e.type === 'text' || e.type === 'cdata' ? String(e.text ?? e.cdata ?? '') : textOf(e))).join('');

/** Reads an XSD as its XML declaration says (GBK for yima). */
export function readXsd(file: string): Element {
  const bytes = readFileSync(file);
  const declared = /encoding="([^"]+)"/.exec(bytes.subarray(0, 100).toString('latin1'))?.[1] ?? 'utf-8';
  const root = xml2js(new TextDecoder(declared).decode(bytes), { compact: false }) as Element;
  return kids(root, 'schema')[0]!;
}

/** The `refundkit:assumption` / `refundkit:correction` notes of an `xs:annotation` below `node`. */
export function xsdNotes(node: Element): string[] {
  return kids(node, 'annotation')
    .flatMap((a) => kids(a, 'appinfo'))
    .flatMap((a) => kids(a).filter((n) => ['assumption', 'correction'].includes(local(n.name)) && n.name!.startsWith('refundkit:')))
    .map((n) => textOf(n).replace(/\s+/g, ' ').trim());
}

interface Facets {
  maxLength?: number;
  minLength?: number;
  totalDigits?: number;
  minInclusive?: number;
  maxInclusive?: number;
}

export class XsdMessages {
  private readonly simpleTypes = new Map<string, Element>();
  private readonly complexTypes = new Map<string, Element>();
  private readonly groups = new Map<string, Element>();
  private readonly roots = new Map<string, Element>();

  constructor(private readonly specDir: string) {
    const seen = new Set<string>();
    const load = (file: string, message?: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const schema = readXsd(join(specDir, file));
      for (const node of kids(schema, 'simpleType')) this.simpleTypes.set(attr(node, 'name')!, node);
      for (const node of kids(schema, 'complexType')) this.complexTypes.set(attr(node, 'name')!, node);
      for (const node of kids(schema, 'group')) this.groups.set(attr(node, 'name')!, node);
      const root = kids(schema, 'element')[0];
      if (message && root) this.roots.set(message, root);
      for (const include of kids(schema, 'include')) load(attr(include, 'schemaLocation')!);
    };
    for (const message of ['refund.request', 'refund.response', 'queryRefund.request', 'queryRefund.response', 'refundNotification.request', 'refundNotification.response']) {
      if (existsSync(join(specDir, `${message}.xsd`))) load(`${message}.xsd`, message);
    }
  }

  /** The name of the message's root element (`business_trans`). */
  rootName(message: string): string | undefined {
    const root = this.roots.get(message);
    return root && attr(root, 'name');
  }

  /** The notes of a named complex or simple type. */
  notesOf(name: string): string[] {
    const node = this.complexTypes.get(name) ?? this.simpleTypes.get(name);
    return node ? xsdNotes(node) : [];
  }

  /** The child elements of an element's complex type, groups expanded. */
  private children(element: Element): Element[] {
    const typeName = attr(element, 'type');
    const complex = typeName ? this.complexTypes.get(local(typeName)) : kids(element, 'complexType')[0];
    if (!complex) return [];
    const out: Element[] = [];
    const walk = (node: Element): void => {
      for (const child of kids(node)) {
        const name = local(child.name);
        if (name === 'element') out.push(child);
        else if (name === 'group' && attr(child, 'ref')) walk(kids(this.groups.get(local(attr(child, 'ref')))!, 'sequence')[0]!);
        else if (name === 'sequence' || name === 'choice' || name === 'all') walk(child);
      }
    };
    walk(complex);
    return out;
  }

  /** Facets of a simple type, merged along its restriction chain (the nearest wins). */
  private facets(simpleType: Element | undefined): Facets {
    const restriction = simpleType && kids(simpleType, 'restriction')[0];
    if (!restriction) return {};
    const base = local(attr(restriction, 'base'));
    const own: Facets = {};
    for (const facet of kids(restriction)) {
      const key = local(facet.name) as keyof Facets;
      if (['maxLength', 'minLength', 'totalDigits', 'minInclusive', 'maxInclusive'].includes(key)) own[key] = Number(attr(facet, 'value'));
    }
    return { ...this.facets(this.simpleTypes.get(base)), ...own };
  }

  private facts(element: Element): ContractField {
    const typeName = attr(element, 'type');
    const inline = kids(element, 'simpleType')[0];
    const facets = this.facets(inline ?? (typeName ? this.simpleTypes.get(local(typeName)) : undefined));
    return {
      required: attr(element, 'minOccurs') !== '0',
      maxLength: facets.maxLength,
      minLength: facets.minLength,
      maxDigits: facets.totalDigits,
      minimum: facets.minInclusive,
      maximum: facets.maxInclusive,
      notes: [...xsdNotes(element), ...(inline ? xsdNotes(inline) : [])],
    };
  }

  /** The element at `path` below the message's root, or the JSON field inside one. */
  field(message: string, path: string): ContractField | undefined {
    let element = this.roots.get(message);
    const segments = path.split('.');
    for (const [i, segment] of segments.entries()) {
      if (!element) return undefined;
      const list = segment.endsWith('[]');
      const name = list ? segment.slice(0, -2) : segment;
      element = this.children(element).find((e) => attr(e, 'name') === name);
      if (!element) return undefined;
      if (!list) continue;
      const jsonFile = kids(element, 'annotation').flatMap((a) => kids(a, 'appinfo')).flatMap((a) => kids(a, 'json')).map((j) => attr(j, 'schema'))[0];
      if (!jsonFile) return undefined;
      const schema = JSON.parse(readFileSync(join(this.specDir, jsonFile), 'utf8')) as Record<string, unknown>;
      const doc = new JsonSchemaDocument(schema);
      const items = schema['items'] as Record<string, unknown>;
      return doc.resolve(items, segments.slice(i + 1));
    }
    return element ? this.facts(element) : undefined;
  }
}

/** Notes on the `$defs` and root of a JSON Schema file of the XSD contract. */
export function jsonSchemaFileNotes(file: string, name: string): string[] {
  const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const defs = (schema['$defs'] ?? {}) as Record<string, Record<string, unknown>>;
  const node = defs[name] ?? (schema['title'] === name ? schema : undefined);
  return node ? notesOn(node) : [];
}
