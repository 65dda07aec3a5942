import { digitsOfMaximum, noteTexts, patternLength, type ContractField } from './contract-field.js';

type Schema = Record<string, unknown>;
const isSchema = (v: unknown): v is Schema => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Notes written on a schema node: its `x-refundkit-assumption` and `x-refundkit-correction`. */
export function notesOn(node: Schema): string[] {
  return [...noteTexts(node['x-refundkit-assumption']), ...noteTexts(node['x-refundkit-correction'])];
}

/**
 * Finds fields by path in a JSON Schema document (an OpenAPI document, or a JSON Schema file):
 * local `$ref`s followed, `allOf`/`oneOf`/`anyOf` members looked through, `items` for `[]`, and a
 * string carrying JSON (`x-refundkit-json-schema`) looked into.
 */
export class JsonSchemaDocument {
  constructor(private readonly root: unknown) {}

  /** The node a local `$ref` (`#/components/schemas/X`, `#/$defs/X`) points at. */
  pointer(ref: string): Schema {
    if (!ref.startsWith('#/')) throw new Error(`only local $refs are followed, not ${ref}`);
    let node: unknown = this.root;
    for (const part of ref.slice(2).split('/')) node = (node as Schema)[part.replaceAll('~1', '/').replaceAll('~0', '~')];
    if (!isSchema(node)) throw new Error(`$ref ${ref} points at nothing`);
    return node;
  }

  private deref(node: Schema): Schema {
    let current = node;
    for (let hops = 0; typeof current['$ref'] === 'string'; hops++) {
      if (hops > 20) throw new Error(`$ref cycle at ${String(current['$ref'])}`);
      current = this.pointer(current['$ref']);
    }
    return current;
  }

  /** The node and every schema it is made of; `unconditional` leaves out the oneOf/anyOf branches. */
  private views(node: Schema, unconditional = false): Schema[] {
    const out: Schema[] = [];
    const visit = (n: Schema): void => {
      if (out.includes(n)) return;
      out.push(n);
      if (typeof n['$ref'] === 'string') visit(this.pointer(n['$ref']));
      for (const key of unconditional ? ['allOf'] : ['allOf', 'oneOf', 'anyOf']) {
        const members = n[key];
        if (Array.isArray(members)) for (const m of members) if (isSchema(m)) visit(m);
      }
    };
    visit(node);
    return out;
  }

  /** The property `name` of the object `container` describes, and whether it is required. */
  private property(container: Schema, name: string): { node: Schema; required: boolean } | undefined {
    let node: Schema | undefined;
    for (const view of this.views(container)) {
      const props = view['properties'];
      if (isSchema(props) && isSchema(props[name])) {
        node = props[name];
        break;
      }
    }
    if (!node) return undefined;
    const required = this.views(container, true).some((v) => Array.isArray(v['required']) && v['required'].includes(name));
    return { node, required };
  }

  /** The schema of a list's items: `items`, or the items of the JSON a string carries. */
  private items(node: Schema): { doc: JsonSchemaDocument; node: Schema } | undefined {
    for (const view of this.views(node)) {
      if (isSchema(view['items'])) return { doc: this, node: view['items'] };
      const carried = view['x-refundkit-json-schema'];
      if (isSchema(carried)) return new JsonSchemaDocument(carried).items(carried);
    }
    return undefined;
  }

  /** The field at `segments` below `start` (a message schema, or list items), or undefined. */
  resolve(start: Schema, segments: readonly string[]): ContractField | undefined {
    let container = start;
    for (const [i, segment] of segments.entries()) {
      const list = segment.endsWith('[]');
      const found = this.property(container, list ? segment.slice(0, -2) : segment);
      if (!found) return undefined;
      if (i === segments.length - 1 && !list) return this.facts(found.node, found.required);
      if (!list) {
        container = found.node;
        continue;
      }
      const items = this.items(found.node);
      if (!items) return undefined;
      return items.doc.resolve(items.node, segments.slice(i + 1));
    }
    return undefined;
  }

  private facts(node: Schema, required: boolean): ContractField {
    const views = this.views(node, true);
    const first = (key: string): number | undefined => views.map((v) => v[key]).find((v): v is number => typeof v === 'number');
    const maximum = first('maximum');
    return {
      required,
      maxLength: first('maxLength') ?? views.map((v) => patternLength(v['pattern'])).find((n) => n !== undefined),
      minLength: first('minLength'),
      minimum: first('minimum'),
      maximum,
      maxDigits: digitsOfMaximum(maximum),
      notes: notesOn(node),
    };
  }
}
