import iconv from 'iconv-lite';
import xmljsModule from 'xml-js';
import { jsonShapeProblem, MAX_ANSWER_DEPTH, ValidationError, type ValidationIssue } from '@refundkit/runtime';

// xml-js is CommonJS: under Node's ESM loader the default import is module.exports.
type XmlJs = typeof import('xml-js');
type XmlElement = import('xml-js').Element;
const xmljs = ((xmljsModule as unknown as { default?: XmlJs }).default ?? xmljsModule) as XmlJs;

/** One element of a message as its XSD declares it: what the codec needs to write and read it. */
export interface ElementDescriptor {
  /** The element name, which is also the property name in the typed message. */
  readonly name: string;
  /**
   * text: an xs:string (a string in the typed message); integer: the xs:integer family (a number);
   * json: text holding JSON (a CDATA section on the wire, the parsed value in the typed message);
   * complex: child elements (an object).
   */
  readonly kind: 'text' | 'integer' | 'json' | 'complex';
  readonly minOccurs: number;
  /** More than 1 (or unbounded): an array in the typed message. */
  readonly maxOccurs: number | 'unbounded';
  /** json: the most characters the JSON text may have on the wire (the element's String(N)). */
  readonly maxLength?: number;
  /** complex: undeclared child elements are allowed (xs:openContent). */
  readonly open?: boolean;
  /** complex: the child elements, in wire order (xs:sequence). */
  readonly children?: readonly ElementDescriptor[];
}

/** One message: its document root, the element and value that identify it, its elements. */
export interface MessageDescriptor {
  /** The contract message name, e.g. refund.request. */
  readonly name: string;
  /** The wire encoding, e.g. GBK: written in the XML declaration and used for the bytes. */
  readonly encoding: string;
  /** The document's root element, e.g. business_trans. */
  readonly root: string;
  /** The first child of the root, with a fixed value per message, e.g. request_type. */
  readonly typeElement: string;
  readonly typeValue: string;
  /** Undeclared children of the root are allowed (a tolerant response). */
  readonly open: boolean;
  /** The root's children in wire order, the type element first. */
  readonly children: readonly ElementDescriptor[];
}

/** An element the decoder met but the XSD does not declare there: left out of the value, kept here. */
export interface UnknownElement {
  /** Dotted path from the root element (the root excluded), e.g. wxpay_res_info.coupon_fee. */
  readonly path: string;
  /**
   * undeclared: no such element here. (maxOccurs: no longer produced: a declared element repeated
   * beyond its maxOccurs is a decode error, rule maxOccurs; the member stays for readers that test it.)
   */
  readonly reason: 'undeclared' | 'maxOccurs';
  /** The enclosing type has open content, so the contract allows it (responses). */
  readonly allowed: boolean;
  /** Its text content, descendants included. */
  readonly text: string;
  /** The element, serialized again as XML. */
  readonly xml: string;
}

/**
 * A decoded message. value is shaped by the XSD (typed as the message for convenience) but not
 * validated yet: a number that was not a plain integer on the wire stays a string, so that the
 * validator names the field. Validate it (validateMessage), or use readMessage, which does both.
 */
export interface Decoded<T> {
  readonly value: T;
  readonly unknown: readonly UnknownElement[];
}

const DECLARATION = /^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']/;
/** Characters XML 1.0 cannot carry: C0 controls but tab, LF and CR; lone surrogates; U+FFFE, U+FFFF. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

const join = (path: string, name: string): string => (path === '' ? name : path + '.' + name);
const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const characters = (text: string): number => Array.from(text).length;
const codePoint = (c: string): string => 'U+' + (c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
const firstLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function xmlError(messageName: string, path: string, message: string): ValidationError {
  return new ValidationError(messageName, [{ path, rule: 'xml', message }]);
}

type Encoding = Parameters<typeof iconv.encode>[1];

function encodingOf(label: string, messageName: string): Encoding {
  if (!iconv.encodingExists(label)) throw encodingError(messageName, 'encoding ' + label + ' is not supported');
  return label;
}

function encodingError(messageName: string, message: string): ValidationError {
  return new ValidationError(messageName, [{ path: '', rule: 'encoding', message }]);
}

/**
 * The labels a document may declare, by contract encoding: the contract's own, and for GBK also
 * GB2312, its subset (every GB2312 document is a GBK document, and servers in China often label
 * GBK text gb2312), read with the GBK decoder. Nothing else: not GB18030, GBK's superset (its
 * four-byte characters are outside what the document allows), not UTF-8 or UTF-7 (an answer
 * declaring utf7 could spell its markup in +ADw- sequences), not any other label iconv-lite knows.
 */
const DECLARABLE: Readonly<Record<string, readonly string[]>> = { gbk: ['gbk', 'gb2312'] };

/** The encoding to decode with when a document declares label under a contract encoding; undefined when refused. */
function declaredEncoding(label: string, contractEncoding: string): string | undefined {
  const contract = contractEncoding.toLowerCase();
  const allowed = Object.hasOwn(DECLARABLE, contract) ? (DECLARABLE[contract] as readonly string[]) : [contract];
  return allowed.includes(label.toLowerCase()) ? contractEncoding : undefined;
}

const isUtf8 = (label: string): boolean => /^utf-?8$/i.test(label);

/**
 * Decodes bytes strictly: a byte sequence the encoding does not define is an error, never a
 * silent U+FFFD. UTF-8 through a fatal TextDecoder; any other encoding through iconv-lite, whose
 * decoders put U+FFFD for an invalid sequence: GBK (like the other legacy encodings) has no code
 * for U+FFFD, so one in the text can only be such a replacement. (Node's TextDecoder for gbk
 * was measured 5 times faster but decodes a lone 0xFF as nothing, without an error.)
 */
function decodeStrictly(bytes: Uint8Array, label: string, messageName: string): string {
  if (isUtf8(label)) {
    try {
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    } catch {
      throw encodingError(messageName, 'the body holds bytes that are not valid UTF-8');
    }
  }
  const encoding = encodingOf(label, messageName);
  const text = iconv.decode(asBuffer(bytes), encoding);
  const replaced = text.indexOf('\uFFFD');
  if (replaced !== -1 && !canEncode('\uFFFD', encoding)) {
    throw encodingError(messageName, 'the body holds bytes that are not valid ' + label + ' (near character ' + replaced + ')');
  }
  return text;
}

const ASCII = /^[\x00-\x7f]*$/;
const ASCII_COMPATIBLE = new Map<string, boolean>();

/** Whether the encoding writes ASCII as the same single bytes (GBK, GB18030, UTF-8 do; UTF-16 does not). */
function asciiCompatible(label: Encoding): boolean {
  let known = ASCII_COMPATIBLE.get(label);
  if (known === undefined) {
    const ascii = String.fromCharCode(...Array.from({ length: 128 }, (_, i) => i));
    known = iconv.encode(ascii, label).equals(Buffer.from(ascii, 'latin1'));
    ASCII_COMPATIBLE.set(label, known);
  }
  return known;
}

/** Whether text survives encoding to the wire encoding and back (GBK has no emoji, for one). */
export function canEncode(text: string, encoding: string): boolean {
  const label = encodingOf(encoding, 'encoding');
  // Most fields are ids and amounts: ASCII needs no round trip in an ASCII-compatible encoding.
  if (ASCII.test(text) && asciiCompatible(label)) return true;
  return iconv.decode(iconv.encode(text, label), label) === text;
}

/** The characters of text that the wire encoding or XML 1.0 cannot carry, as an issue naming path. */
function textIssue(text: string, path: string, encoding: string): ValidationIssue | undefined {
  const bad = NOT_XML.exec(text)?.[0];
  if (bad !== undefined) {
    return { path, rule: 'encoding', message: path + ' contains ' + codePoint(bad) + ', which XML 1.0 cannot carry' };
  }
  if (canEncode(text, encoding)) return undefined;
  const unencodable = Array.from(new Set(Array.from(text).filter((c) => !canEncode(c, encoding))));
  return {
    path,
    rule: 'encoding',
    message: path + ' contains ' + unencodable.map((c) => c + ' (' + codePoint(c) + ')').join(', ') + ', which ' + encoding + ' cannot encode',
  };
}

/** Every string (and key) of a JSON value that would not survive the wire encoding, by path. */
function jsonIssues(value: unknown, path: string, encoding: string, issues: ValidationIssue[]): void {
  if (typeof value === 'string') {
    if (!canEncode(JSON.stringify(value), encoding)) issues.push(textIssue(value, path, encoding) as ValidationIssue);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => jsonIssues(item, path + '[' + i + ']', encoding, issues));
  } else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      const at = join(path, key);
      if (!canEncode(JSON.stringify(key), encoding)) issues.push(textIssue(key, at, encoding) as ValidationIssue);
      jsonIssues(item, at, encoding, issues);
    }
  }
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** A CDATA section; a ]]> inside the text is split across two sections. */
function cdata(text: string): string {
  return '<![CDATA[' + text.split(']]>').join(']]]]><![CDATA[>') + ']]>';
}

function encodeElement(element: ElementDescriptor, value: unknown, path: string, encoding: string, issues: ValidationIssue[]): string {
  const open = '<' + element.name + '>';
  const close = '</' + element.name + '>\n';
  switch (element.kind) {
    case 'complex':
      if (!isRecord(value)) {
        issues.push({ path, rule: 'type object', message: path + ' must be an object' });
        return '';
      }
      return open + '\n' + encodeChildren(element.children ?? [], value, path, encoding, issues) + close;
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        issues.push({ path, rule: 'type integer', message: path + ' must be a whole number' });
        return '';
      }
      return open + String(value) + close;
    case 'json': {
      const json = JSON.stringify(value);
      if (json === undefined) {
        issues.push({ path, rule: 'json', message: path + ' cannot be written as JSON' });
        return '';
      }
      jsonIssues(value, path, encoding, issues);
      if (element.maxLength !== undefined && characters(json) > element.maxLength) {
        issues.push({ path, rule: 'maxLength ' + element.maxLength, message: path + ' is ' + characters(json) + ' characters of JSON, more than ' + element.maxLength });
      }
      return open + cdata(json) + close;
    }
    case 'text': {
      if (typeof value !== 'string') {
        issues.push({ path, rule: 'type string', message: path + ' must be a string' });
        return '';
      }
      const issue = textIssue(value, path, encoding);
      if (issue) issues.push(issue);
      return open + escapeText(value) + close;
    }
  }
}

function encodeChildren(children: readonly ElementDescriptor[], value: Record<string, unknown>, path: string, encoding: string, issues: ValidationIssue[]): string {
  let out = '';
  for (const element of children) {
    const at = join(path, element.name);
    const item = value[element.name];
    if (item === undefined) {
      if (element.minOccurs > 0) issues.push({ path: at, rule: 'required', message: at + ' is required' });
      continue;
    }
    if (element.maxOccurs === 1) {
      out += encodeElement(element, item, at, encoding, issues);
    } else if (Array.isArray(item)) {
      item.forEach((entry, i) => {
        out += encodeElement(element, entry, at + '[' + i + ']', encoding, issues);
      });
    } else {
      issues.push({ path: at, rule: 'type array', message: at + ' must be an array' });
    }
  }
  return out;
}

/**
 * Writes a message as the wire wants it: an XML declaration naming the encoding, the root, one
 * element per line in XSD order (absent optional elements left out), text escaped, JSON elements
 * as compact JSON in a CDATA section, and the whole document encoded to bytes (GBK).
 *
 * Schema rules are the validator's job (call it first); this throws a ValidationError only for
 * what cannot be written faithfully: a text (or a JSON string) the encoding cannot carry (rule
 * encoding: never a silent ? on the wire), a missing required element, a value of the wrong kind.
 */
export function encodeXml(descriptor: MessageDescriptor, value: unknown): Uint8Array {
  const label = encodingOf(descriptor.encoding, descriptor.name);
  if (!isRecord(value)) throw new ValidationError(descriptor.name, [{ path: '', rule: 'type object', message: 'the message must be an object' }]);
  const issues: ValidationIssue[] = [];
  const body = encodeChildren(descriptor.children, value, '', descriptor.encoding, issues);
  if (issues.length > 0) throw new ValidationError(descriptor.name, issues);
  const text = '<?xml version="1.0" encoding="' + descriptor.encoding + '"?>\n<' + descriptor.root + '>\n' + body + '</' + descriptor.root + '>\n';
  const bytes = iconv.encode(text, label);
  if (iconv.decode(bytes, label) !== text) {
    throw new ValidationError(descriptor.name, [{ path: '', rule: 'encoding', message: 'the document does not survive encoding to ' + descriptor.encoding }]);
  }
  return bytes;
}

/**
 * Turns raw bytes into text in the contract's encoding (GBK), strictly: an XML declaration may
 * name only that encoding (or, for GBK, its subset GB2312); a UTF-8 byte order mark or any other
 * label (utf7, GB18030, UTF-8) is refused, and so is a byte sequence the encoding does not define
 * (never a silent U+FFFD). A ValidationError with rule encoding names what was wrong. Never via
 * a default UTF-8 decoding of the body.
 */
export function decodeText(bytes: Uint8Array, defaultEncoding: string, messageName: string): string {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  if (bom && !isUtf8(defaultEncoding)) throw encodingError(messageName, 'the body starts with a UTF-8 byte order mark; the contract encoding is ' + defaultEncoding);
  const head = asBuffer(bytes.subarray(0, 200)).toString('latin1');
  const declared = DECLARATION.exec(head)?.[1];
  const encoding = declared === undefined ? defaultEncoding : declaredEncoding(declared, defaultEncoding);
  if (encoding === undefined) {
    throw encodingError(messageName, 'the XML declaration names encoding ' + declared + '; the contract allows ' + defaultEncoding + ' only');
  }
  return decodeStrictly(bytes, encoding, messageName);
}

/** Parses a document (xml-js): well-formed, no DOCTYPE, one root element; a ValidationError (rule xml) otherwise. */
export function parseXml(bytes: Uint8Array, defaultEncoding: string, messageName: string): XmlElement {
  return parseXmlText(decodeText(bytes, defaultEncoding, messageName), messageName);
}

/** {@link parseXml} of a document already decoded to text (by {@link decodeText}). */
export function parseXmlText(text: string, messageName: string): XmlElement {
  let doc: XmlElement;
  try {
    doc = xmljs.xml2js(text, {
      compact: false,
      ignoreComment: true,
      ignoreInstruction: true,
      ignoreDeclaration: true,
      captureSpacesBetweenElements: true,
    }) as XmlElement;
  } catch (error) {
    // A body cut short is told apart from one that is merely broken: the provider may have acted.
    if (text.trim() !== '' && !endsWithClosingTag(text)) throw truncatedError(messageName, 'its root element');
    throw xmlError(messageName, '', 'the body is not well-formed XML: ' + firstLine(error));
  }
  const top = doc.elements ?? [];
  if (top.some((node) => node.type === 'doctype')) throw xmlError(messageName, '', 'a DOCTYPE is not accepted');
  const roots = top.filter((node) => node.type === 'element');
  const root = roots[0];
  if (root === undefined || roots.length !== 1) throw xmlError(messageName, '', 'the body must hold exactly one root element');
  // xml-js does not report everything left open at the end of the text: a truncated answer would
  // otherwise decode, its result and all. The document must end with the root's closing tag.
  if (!endsWithClosingTag(text, String(root.name))) {
    throw truncatedError(messageName, '</' + String(root.name) + '>');
  }
  const tooDeep = pathBeyondDepth(root, MAX_ANSWER_DEPTH);
  if (tooDeep !== undefined) {
    throw new ValidationError(messageName, [{ path: tooDeep, rule: 'depth', message: tooDeep + ' is nested more than ' + MAX_ANSWER_DEPTH + ' elements deep' }]);
  }
  return root;
}

function truncatedError(messageName: string, what: string): ValidationError {
  return new ValidationError(messageName, [{ path: '', rule: 'truncated', message: 'the body is not well-formed XML: it ends before ' + what + ' is closed' }]);
}

/**
 * Whether the last markup of text is the real closing tag of root (of any element when root is
 * not given), followed by nothing but whitespace: a </root> inside a comment, a CDATA section or
 * a processing instruction does not count, and one of those left open at the end (a cut-off
 * answer ending in <!-- </root>) fails. One pass, no recursion: every < outside those three
 * starts a tag (XML allows no raw < in text or attribute values).
 */
function endsWithClosingTag(text: string, root?: string): boolean {
  let lastTag = -1;
  let at = 0;
  for (;;) {
    const open = text.indexOf('<', at);
    if (open === -1) break;
    let close: string | undefined;
    if (text.startsWith('<!--', open)) close = '-->';
    else if (text.startsWith('<![CDATA[', open)) close = ']]>';
    else if (text.startsWith('<?', open)) close = '?>';
    if (close === undefined) {
      lastTag = open;
      at = open + 1;
      continue;
    }
    const end = text.indexOf(close, open + 2);
    if (end === -1) return false;
    at = end + close.length;
    lastTag = -1; // markup after the last tag: the document does not end with it
  }
  if (lastTag === -1) return false;
  if (root === undefined) return /^<\/[^<>\s]+\s*>\s*$/.test(text.slice(lastTag));
  if (!text.startsWith('</' + root, lastTag)) return false;
  return /^\s*>\s*$/.test(text.slice(lastTag + 2 + root.length));
}

/**
 * The dotted path of the first element nested deeper than maxDepth below root, if any; walked
 * with an explicit stack, so a 5,000-deep answer cannot overflow the call stack. Decoding
 * refuses such a document (rule depth) before any recursive walker (deepText, js2xml) meets it.
 */
function pathBeyondDepth(root: XmlElement, maxDepth: number): string | undefined {
  interface Entry { readonly node: XmlElement; readonly depth: number; readonly parent: Entry | undefined }
  const stack: Entry[] = [{ node: root, depth: 0, parent: undefined }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    for (const child of top.node.elements ?? []) {
      if (child.type !== 'element') continue;
      const entry: Entry = { node: child, depth: top.depth + 1, parent: top };
      if (entry.depth <= maxDepth) {
        stack.push(entry);
        continue;
      }
      // The path is built only for the element refused: names from it up to the root's child.
      const names: string[] = [];
      for (let at: Entry | undefined = entry; at !== undefined && at.parent !== undefined; at = at.parent) names.push(String(at.node.name));
      return names.reverse().join('.');
    }
  }
  return undefined;
}

/** The element's own text and CDATA, concatenated. */
function ownText(node: XmlElement): string {
  let text = '';
  for (const child of node.elements ?? []) {
    if (child.type === 'text') text += String(child.text ?? '');
    else if (child.type === 'cdata') text += String(child.cdata ?? '');
  }
  return text;
}

function deepText(node: XmlElement): string {
  let text = '';
  for (const child of node.elements ?? []) {
    if (child.type === 'element') text += deepText(child);
    else if (child.type === 'text') text += String(child.text ?? '');
    else if (child.type === 'cdata') text += String(child.cdata ?? '');
  }
  return text;
}

/** The trimmed text of the root's first child element named typeElement (request_type), if any. */
export function messageTypeText(root: XmlElement, typeElement: string): string | undefined {
  const node = (root.elements ?? []).find((child) => child.type === 'element' && child.name === typeElement);
  return node === undefined ? undefined : ownText(node).trim();
}

function unknownElement(node: XmlElement, path: string, reason: UnknownElement['reason'], allowed: boolean): UnknownElement {
  return { path, reason, allowed, text: deepText(node), xml: xmljs.js2xml({ elements: [node] }, { compact: false }) };
}

function decodeElement(element: ElementDescriptor, node: XmlElement, path: string, issues: ValidationIssue[], unknown: UnknownElement[]): unknown {
  if (element.kind === 'complex') return decodeChildren(element.children ?? [], element.open === true, node, path, issues, unknown);
  if ((node.elements ?? []).some((child) => child.type === 'element')) {
    issues.push({ path, rule: 'type', message: path + ' holds elements where text is expected' });
    return undefined;
  }
  const text = ownText(node);
  switch (element.kind) {
    case 'integer': {
      const trimmed = text.trim();
      return /^[+-]?[0-9]+$/.test(trimmed) && Number.isSafeInteger(Number(trimmed)) ? Number(trimmed) : text;
    }
    case 'json': {
      if (element.maxLength !== undefined && characters(text) > element.maxLength) {
        issues.push({ path, rule: 'maxLength ' + element.maxLength, message: path + ' is ' + characters(text) + ' characters of JSON, more than ' + element.maxLength });
        return undefined;
      }
      if (text.trim() === '') return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text) as unknown;
      } catch (error) {
        issues.push({ path, rule: 'json', message: path + ' is not valid JSON (' + firstLine(error) + ')' });
        return undefined;
      }
      // JSON.parse keeps the last of two equal keys and any depth: the contract means one value, shallow.
      const problem = jsonShapeProblem(text, path);
      if (problem !== undefined) {
        issues.push(
          problem.rule === 'depth'
            ? { path: problem.path, rule: 'depth', message: problem.path + ' is nested more than ' + MAX_ANSWER_DEPTH + ' levels deep' }
            : { path: problem.path, rule: 'duplicateKey', message: problem.path + ' appears twice in one JSON object' },
        );
        return undefined;
      }
      return parsed;
    }
    case 'text':
      return text;
  }
}

function decodeChildren(children: readonly ElementDescriptor[], open: boolean, node: XmlElement, path: string, issues: ValidationIssue[], unknown: UnknownElement[]): Record<string, unknown> {
  const found = new Map<string, unknown[]>();
  for (const child of node.elements ?? []) {
    if (child.type !== 'element') continue;
    const name = String(child.name);
    const at = join(path, name);
    const element = children.find((c) => c.name === name);
    if (element === undefined) {
      unknown.push(unknownElement(child, at, 'undeclared', open));
      continue;
    }
    const seen = found.get(name) ?? [];
    if (element.maxOccurs !== 'unbounded' && seen.length >= element.maxOccurs) {
      // Two <id> or two <result> where the contract declares one: which is meant cannot be told.
      issues.push({ path: at, rule: 'maxOccurs', message: at + ' occurs more than ' + element.maxOccurs + ' time(s); the contract allows ' + element.maxOccurs });
      continue;
    }
    seen.push(decodeElement(element, child, element.maxOccurs === 1 ? at : at + '[' + seen.length + ']', issues, unknown));
    found.set(name, seen);
  }
  const value: Record<string, unknown> = {};
  for (const element of children) {
    const present = (found.get(element.name) ?? []).filter((v) => v !== undefined);
    if (present.length === 0) continue;
    value[element.name] = element.maxOccurs === 1 ? present[0] : present;
  }
  return value;
}

/**
 * Reads a parsed document as the descriptor's message. The root and the type element must match
 * (rule xml otherwise). Declared elements are read in any order, text as is, integers converted
 * only when they are plain integers, JSON elements parsed (rule json when they are not JSON, rule
 * duplicateKey or depth when a key repeats or it nests beyond MAX_ANSWER_DEPTH). A declared element
 * repeated beyond its maxOccurs is an error (rule maxOccurs). Undeclared elements never fail: they
 * are left out of the value and listed in unknown.
 */
export function decodeTree(descriptor: MessageDescriptor, root: XmlElement): Decoded<unknown> {
  if (root.name !== descriptor.root) {
    throw xmlError(descriptor.name, '', 'the root element is <' + String(root.name) + '>, not <' + descriptor.root + '>');
  }
  const type = messageTypeText(root, descriptor.typeElement);
  if (type !== descriptor.typeValue) {
    throw xmlError(
      descriptor.name,
      descriptor.typeElement,
      type === undefined
        ? 'the document has no <' + descriptor.typeElement + '>; ' + descriptor.name + ' needs ' + descriptor.typeValue
        : '<' + descriptor.typeElement + '> is ' + JSON.stringify(type) + '; ' + descriptor.name + ' needs ' + descriptor.typeValue,
    );
  }
  const issues: ValidationIssue[] = [];
  const unknown: UnknownElement[] = [];
  const value = decodeChildren(descriptor.children, descriptor.open, root, '', issues, unknown);
  if (issues.length > 0) throw new ValidationError(descriptor.name, issues);
  return { value, unknown };
}

/** Decodes raw bytes (GBK unless the declaration says otherwise) as the descriptor's message. */
export function decodeXml(descriptor: MessageDescriptor, bytes: Uint8Array): Decoded<unknown> {
  return decodeTree(descriptor, parseXml(bytes, descriptor.encoding, descriptor.name));
}

/** {@link decodeXml} of a document already decoded to text (by {@link decodeText}). */
export function decodeXmlText(descriptor: MessageDescriptor, text: string): Decoded<unknown> {
  return decodeTree(descriptor, parseXmlText(text, descriptor.name));
}
