import { readFileSync } from 'node:fs';
import xmljsModule from 'xml-js';

type XmlJs = typeof import('xml-js');
// xml-js is CommonJS: under Node's ESM loader the default import is `module.exports` (a bundler may unwrap it).
const xmljs = ((xmljsModule as unknown as { default?: XmlJs }).default ?? xmljsModule) as XmlJs;

/** An element of a parsed XML file, with its namespace resolved from the `xmlns` declarations in scope. */
export interface XmlNode {
  /** The name as written, e.g. `xs:element`. */
  readonly qname: string;
  /** The namespace URI of the element, or `null` when it has none. */
  readonly ns: string | null;
  /** The name without its prefix, e.g. `element`. */
  readonly local: string;
  /** Attributes as written (prefixed names kept, e.g. `xml:lang`, `vc:minVersion`). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
  /** The element's own character data (text and CDATA children, concatenated). */
  readonly text: string;
  /** Prefix → namespace URI in scope at this element (`''` is the default namespace). */
  readonly scope: ReadonlyMap<string, string>;
}

/** The encoding an XML declaration names (`<?xml version="1.0" encoding="GBK"?>`), or `undefined`. */
export function declaredEncoding(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 256)).toString('latin1');
  return /^(?:\uFEFF|\xEF\xBB\xBF)?\s*<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']/.exec(head)?.[1];
}

/** Splits `prefix:local` (a QName, as in element names and `type="xs:string"` values). */
export function splitQName(qname: string): { prefix: string; local: string } {
  const colon = qname.indexOf(':');
  return colon < 0 ? { prefix: '', local: qname } : { prefix: qname.slice(0, colon), local: qname.slice(colon + 1) };
}

/** The namespace URI a QName's prefix is bound to at `node`, `null` for no namespace. */
export function resolvePrefix(node: XmlNode, prefix: string, file: string): string | null {
  if (prefix === 'xml') return 'http://www.w3.org/XML/1998/namespace';
  const uri = node.scope.get(prefix);
  if (uri === undefined) {
    if (prefix === '') return null;
    throw new Error(`${file}: prefix ${prefix}: is not declared (in <${node.qname}>)`);
  }
  return uri === '' ? null : uri;
}

type RawElement = import('xml-js').Element;

/** Deeper nesting than any XSD needs (ours nest under 15): past it the file is refused, not recursed into. */
const MAX_XSD_DEPTH = 64;

/** An xml-js element as an {@link XmlNode}: `xmlns` attributes become the scope, names get their namespace. */
function toNode(raw: RawElement, parentScope: ReadonlyMap<string, string>, file: string, depth = 0): XmlNode {
  if (depth > MAX_XSD_DEPTH) throw new Error(`${file}: elements nest more than ${MAX_XSD_DEPTH} deep (at <${raw.name ?? ''}>)`);
  const attributes: Record<string, string> = {};
  const scope = new Map(parentScope);
  for (const [name, value] of Object.entries(raw.attributes ?? {})) {
    const text = String(value ?? '');
    if (name === 'xmlns') scope.set('', text);
    else if (name.startsWith('xmlns:')) scope.set(name.slice(6), text);
    else attributes[name] = text;
  }
  const children: XmlNode[] = [];
  let text = '';
  for (const child of raw.elements ?? []) {
    if (child.type === 'element') children.push(toNode(child, scope, file, depth + 1));
    else if (child.type === 'text') text += String(child.text ?? '');
    else if (child.type === 'cdata') text += String(child.cdata ?? '');
  }
  const qname = raw.name ?? '';
  const { prefix, local } = splitQName(qname);
  const uri = prefix === 'xml' ? 'http://www.w3.org/XML/1998/namespace' : scope.get(prefix);
  if (prefix !== '' && uri === undefined) throw new Error(`${file}: prefix ${prefix}: of <${qname}> is not declared`);
  return { qname, ns: uri === undefined || uri === '' ? null : uri, local, attributes, children, text, scope };
}

/**
 * Reads an XML file as its declaration says (`encoding="GBK"`: the yima XSDs are stored in the
 * wire encoding; no declaration means UTF-8), refusing bytes that are not valid in that encoding,
 * and parses it with xml-js into a tree whose element names are resolved against their `xmlns`
 * declarations. Comments and processing instructions are dropped; a DOCTYPE is refused.
 */
export function readXmlFile(path: string, displayName: string = path): XmlNode {
  const bytes = readFileSync(path);
  const encoding = declaredEncoding(bytes) ?? 'utf-8';
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch (error) {
    throw new Error(`${displayName}: cannot be read as ${encoding}, the encoding its XML declaration names (${error instanceof Error ? error.message : String(error)})`);
  }
  let doc: RawElement;
  try {
    doc = xmljs.xml2js(text, { compact: false, ignoreComment: true, ignoreInstruction: true, ignoreDeclaration: true }) as RawElement;
  } catch (error) {
    throw new Error(`${displayName}: not well-formed XML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  const top = doc.elements ?? [];
  if (top.some((e) => e.type === 'doctype')) throw new Error(`${displayName}: a DOCTYPE is not supported`);
  const roots = top.filter((e) => e.type === 'element');
  const root = roots[0];
  if (!root || roots.length !== 1) throw new Error(`${displayName}: expected exactly one root element`);
  return toNode(root, new Map(), displayName);
}
