import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readXmlFile, resolvePrefix, splitQName, type XmlNode } from './read-xml.js';
import { xsdPatternToEcma } from './xsd-regex.js';
import type {
  Annotation,
  BuiltinType,
  ComplexType,
  ContractSettings,
  ElementDecl,
  EnumerationValue,
  Facets,
  MessageSchema,
  Note,
  SimpleType,
  StringLengthUnit,
  XsdContract,
} from './xsd-model.js';
import { STRING_LENGTH_UNITS } from './xsd-model.js';

export const XS_NS = 'http://www.w3.org/2001/XMLSchema';
export const REFUNDKIT_NS = 'https://refundkit.dev/xsd';
const VC_NS = 'http://www.w3.org/2007/XMLSchema-versioning';
/** The foreign-namespace attribute (XSD 1.0 allows them on every component) that marks a tolerant complex type. */
export const OPEN_ATTRIBUTE = 'refundkit:open';

/** Message files: `<operation>.<request|response>.xsd`. */
const MESSAGE_FILE = /^([a-z][A-Za-z]*)\.(request|response)\.xsd$/;
const OPERATION_ORDER = ['refund', 'queryRefund', 'refundNotification'];
const BUILTINS: readonly BuiltinType[] = ['string', 'integer', 'nonNegativeInteger', 'positiveInteger'];
const PLAIN_FILE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const NCNAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** An XSD the generator cannot turn into a contract: names the file and the construct. */
export class XsdError extends Error {
  constructor(file: string, where: string, what: string) {
    super(`${file}: ${where ? `${where}: ` : ''}${what}`);
    this.name = 'XsdError';
  }
}

interface SchemaDoc {
  readonly file: string;
  readonly root: XmlNode;
  readonly includes: readonly string[];
  readonly simpleTypes: ReadonlyMap<string, XmlNode>;
  readonly complexTypes: ReadonlyMap<string, XmlNode>;
  readonly groups: ReadonlyMap<string, XmlNode>;
  readonly elements: readonly XmlNode[];
  readonly annotation: Annotation;
  readonly settings: Partial<Omit<ContractSettings, 'stringLength' | 'tolerantStringLength'>> & { stringLength?: string; tolerantStringLength?: string };
}

/** Named components visible from one message file: its own and those of its includes. */
interface Scope {
  readonly simpleTypes: ReadonlyMap<string, { doc: SchemaDoc; node: XmlNode }>;
  readonly complexTypes: ReadonlyMap<string, { doc: SchemaDoc; node: XmlNode }>;
  readonly groups: ReadonlyMap<string, { doc: SchemaDoc; node: XmlNode }>;
}

const isXs = (node: XmlNode, local?: string): boolean => node.ns === XS_NS && (local === undefined || node.local === local);
const describe = (node: XmlNode): string => `${node.qname}${node.attributes['name'] ? ` ${node.attributes['name']}` : node.attributes['ref'] ? ` ref=${node.attributes['ref']}` : ''}`;
const breadcrumb = (where: string, node: XmlNode): string => (where ? `${where} > ${describe(node)}` : describe(node));
const collapse = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** Refuses attributes outside `allowed` (unprefixed names; `vc:` versioning attributes pass where `versioning` is set). */
function checkAttributes(node: XmlNode, allowed: readonly string[], file: string, where: string, versioning = false): void {
  for (const name of Object.keys(node.attributes)) {
    if (allowed.includes(name)) continue;
    const { prefix } = splitQName(name);
    if (versioning && prefix !== '' && resolvePrefix(node, prefix, file) === VC_NS) continue;
    throw new XsdError(file, where, `attribute ${name} is not supported on ${node.qname}`);
  }
}

/**
 * `refundkit:open="true"|"false"` on an `xs:complexType` (the prefix must be bound to the
 * refundkit namespace): whether undeclared child elements are tolerated. Absent: closed.
 */
function openAttribute(node: XmlNode, file: string, where: string): boolean {
  const value = node.attributes[OPEN_ATTRIBUTE];
  if (value === undefined) return false;
  if (resolvePrefix(node, splitQName(OPEN_ATTRIBUTE).prefix, file) !== REFUNDKIT_NS) throw new XsdError(file, where, `the prefix of ${OPEN_ATTRIBUTE} must be bound to ${REFUNDKIT_NS}`);
  if (value !== 'true' && value !== 'false') throw new XsdError(file, where, `${OPEN_ATTRIBUTE} must be "true" or "false", not ${JSON.stringify(value)}`);
  return value === 'true';
}

/** Child elements in the XSD namespace; anything else (foreign elements) is refused. */
function xsChildren(node: XmlNode, file: string, where: string): XmlNode[] {
  for (const child of node.children) {
    if (!isXs(child)) throw new XsdError(file, where, `<${child.qname}> is not an XML Schema construct`);
  }
  return [...node.children];
}

function parseInteger(value: string | undefined, file: string, where: string, what: string, min = 0): number {
  if (value === undefined || !/^[+-]?[0-9]+$/.test(value.trim())) throw new XsdError(file, where, `${what} must be a whole number, not ${JSON.stringify(value)}`);
  const n = Number(value.trim());
  if (!Number.isSafeInteger(n) || n < min) throw new XsdError(file, where, `${what} ${value} is out of range`);
  return n;
}

/** What an `xs:annotation` may carry, by where it stands. */
type AnnotationPlace = 'schema' | 'element' | 'other';

interface ParsedAnnotation {
  readonly annotation: Annotation;
  readonly json: string | undefined;
  readonly settings: SchemaDoc['settings'];
}

/**
 * `xs:annotation`: every `xs:documentation` (text only, with `xml:lang`) and, in `xs:appinfo`,
 * the refundkit elements: `assumption` and `correction` notes anywhere; `json schema="..."` on an
 * element; `title`, `encoding`, `string-length` (with an optional `tolerant` unit), `currencies`, `refund-amount` and `transport` at schema level. Unknown refundkit
 * elements are refused (a typo would silently drop a note); other namespaces are ignored.
 */
function parseAnnotation(node: XmlNode | undefined, file: string, where: string, place: AnnotationPlace): ParsedAnnotation {
  const documentation: { lang: string | undefined; text: string }[] = [];
  const notes: Note[] = [];
  let json: string | undefined;
  const settings: { -readonly [K in keyof SchemaDoc['settings']]: SchemaDoc['settings'][K] } = {};
  if (node) {
    checkAttributes(node, [], file, where);
    for (const child of xsChildren(node, file, where)) {
      const at = breadcrumb(where, child);
      if (child.local === 'documentation') {
        checkAttributes(child, ['xml:lang', 'source'], file, at);
        if (child.children.length > 0) throw new XsdError(file, at, 'documentation must be text only');
        documentation.push({ lang: child.attributes['xml:lang'], text: collapse(child.text) });
      } else if (child.local === 'appinfo') {
        checkAttributes(child, ['source'], file, at);
        for (const info of child.children) {
          if (info.ns !== REFUNDKIT_NS) continue;
          const here = `${at} > ${info.qname}`;
          const misplaced = (): never => {
            throw new XsdError(file, here, `refundkit:${info.local} is not allowed here`);
          };
          switch (info.local) {
            case 'assumption':
            case 'correction':
              checkAttributes(info, [], file, here);
              notes.push({ kind: info.local, text: collapse(info.text) });
              break;
            case 'json': {
              if (place !== 'element') misplaced();
              checkAttributes(info, ['schema'], file, here);
              const schema = info.attributes['schema'];
              if (!schema || !PLAIN_FILE.test(schema) || !schema.endsWith('.json')) throw new XsdError(file, here, 'schema must name a .json file beside the XSD');
              json = schema;
              break;
            }
            case 'title':
            case 'encoding':
            case 'string-length': {
              if (place !== 'schema') misplaced();
              checkAttributes(info, info.local === 'string-length' ? ['tolerant'] : [], file, here);
              const value = collapse(info.text);
              if (!value) throw new XsdError(file, here, 'must not be empty');
              if (info.local === 'title') settings.title = value;
              else if (info.local === 'encoding') settings.encoding = value;
              else {
                settings.stringLength = value;
                settings.tolerantStringLength = info.attributes['tolerant'] ?? value;
              }
              break;
            }
            case 'currencies': {
              if (place !== 'schema') misplaced();
              checkAttributes(info, [], file, here);
              const codes = collapse(info.text).split(' ').filter(Boolean);
              if (codes.length === 0 || codes.some((c) => !/^[A-Z]{3}$/.test(c))) throw new XsdError(file, here, 'must list ISO 4217 codes (CNY HKD ...), the default first');
              settings.currencies = codes;
              break;
            }
            case 'refund-amount': {
              if (place !== 'schema') misplaced();
              checkAttributes(info, ['message', 'unit'], file, here);
              const message = info.attributes['message'];
              const unit = info.attributes['unit'];
              const field = collapse(info.text);
              if (!message || !field || (unit !== 'major' && unit !== 'minor')) throw new XsdError(file, here, 'needs message, unit (major or minor) and the field as text');
              settings.refundAmount = { message, field, unit };
              break;
            }
            case 'transport': {
              if (place !== 'schema') misplaced();
              checkAttributes(info, ['method', 'content-type'], file, here);
              const method = info.attributes['method'];
              const contentType = info.attributes['content-type'];
              if (!method || !contentType) throw new XsdError(file, here, 'needs method and content-type');
              settings.transport = { method, contentType };
              break;
            }
            default:
              throw new XsdError(file, here, `unknown refundkit annotation refundkit:${info.local}`);
          }
        }
      } else {
        throw new XsdError(file, at, `<${child.qname}> is not allowed in xs:annotation`);
      }
    }
  }
  return { annotation: { documentation, notes }, json, settings };
}

/** Splits a construct's children into its leading `xs:annotation` (at most one) and the rest. */
function takeAnnotation(node: XmlNode, file: string, where: string): { annotation: XmlNode | undefined; rest: XmlNode[] } {
  const children = xsChildren(node, file, where);
  const annotations = children.filter((c) => c.local === 'annotation');
  if (annotations.length > 1 || (annotations[0] && children[0] !== annotations[0])) {
    throw new XsdError(file, where, 'xs:annotation must come first, at most once');
  }
  return { annotation: annotations[0], rest: children.filter((c) => c.local !== 'annotation') };
}

/**
 * Loads one schema document: `xs:schema` without `targetNamespace` (the yima wire has no
 * namespace) and with unqualified local elements, holding `xs:include`, `xs:annotation`, named
 * `xs:simpleType` / `xs:complexType` / `xs:group`, and global `xs:element`s.
 */
function loadDocument(specDir: string, file: string): SchemaDoc {
  const root = readXmlFile(join(specDir, file), file);
  if (!isXs(root, 'schema')) throw new XsdError(file, '', `the root element is <${root.qname}>, not xs:schema`);
  if ('targetNamespace' in root.attributes) throw new XsdError(file, 'xs:schema', 'targetNamespace is not supported: the messages are in no namespace');
  checkAttributes(root, ['elementFormDefault', 'attributeFormDefault', 'version'], file, 'xs:schema', true);
  if ((root.attributes['elementFormDefault'] ?? 'unqualified') !== 'unqualified') {
    throw new XsdError(file, 'xs:schema', 'elementFormDefault must be unqualified');
  }
  const includes: string[] = [];
  const simpleTypes = new Map<string, XmlNode>();
  const complexTypes = new Map<string, XmlNode>();
  const groups = new Map<string, XmlNode>();
  const elements: XmlNode[] = [];
  let annotation: ParsedAnnotation | undefined;
  for (const child of xsChildren(root, file, 'xs:schema')) {
    const where = breadcrumb('xs:schema', child);
    const name = child.attributes['name'];
    const named = (into: Map<string, XmlNode>): void => {
      if (!name || !NCNAME.test(name)) throw new XsdError(file, where, 'a top-level definition needs a name');
      if (into.has(name)) throw new XsdError(file, where, `${name} is defined twice`);
      into.set(name, child);
    };
    switch (child.local) {
      case 'annotation': {
        if (annotation) throw new XsdError(file, where, 'one schema-level xs:annotation only');
        annotation = parseAnnotation(child, file, where, 'schema');
        break;
      }
      case 'include': {
        checkAttributes(child, ['schemaLocation'], file, where);
        const location = child.attributes['schemaLocation'];
        if (!location || !PLAIN_FILE.test(location) || !location.endsWith('.xsd')) {
          throw new XsdError(file, where, 'schemaLocation must name an .xsd file in the same folder');
        }
        if (child.children.length > 0) throw new XsdError(file, where, 'xs:include takes no content');
        includes.push(location);
        break;
      }
      case 'simpleType':
        named(simpleTypes);
        break;
      case 'complexType':
        named(complexTypes);
        break;
      case 'group':
        named(groups);
        break;
      case 'element':
        elements.push(child);
        break;
      default:
        throw new XsdError(file, where, `<${child.qname}> is not supported (supported at top level: annotation, include, simpleType, complexType, group, element)`);
    }
  }
  const parsed = annotation ?? parseAnnotation(undefined, file, 'xs:schema', 'schema');
  const version = root.attributes['version'];
  return {
    file,
    root,
    includes,
    simpleTypes,
    complexTypes,
    groups,
    elements,
    annotation: parsed.annotation,
    settings: { ...parsed.settings, ...(version !== undefined ? { version } : {}) },
  };
}

class ContractReader {
  private readonly docs = new Map<string, SchemaDoc>();
  private readonly simpleCache = new Map<XmlNode, SimpleType>();
  private readonly complexCache = new Map<XmlNode, ComplexType>();
  private readonly complexInProgress = new Set<XmlNode>();
  private readonly complexByName = new Map<string, ComplexType>();
  /** Complex type names in order of first use (a type is listed before the types it uses). */
  private readonly complexOrder: string[] = [];
  readonly jsonFiles = new Set<string>();

  constructor(private readonly specDir: string) {}

  document(file: string): SchemaDoc {
    let doc = this.docs.get(file);
    if (!doc) {
      if (!existsSync(join(this.specDir, file))) throw new XsdError(file, '', 'file not found');
      doc = loadDocument(this.specDir, file);
      this.docs.set(file, doc);
    }
    return doc;
  }

  complexTypes(): ComplexType[] {
    return this.complexOrder.map((name) => this.complexByName.get(name) as ComplexType);
  }

  loadedDocuments(): SchemaDoc[] {
    return [...this.docs.values()];
  }

  /** `xs:include`, transitively: the components one message file can see (names unique among them). */
  scopeOf(entry: string): { scope: Scope; files: string[] } {
    const files: string[] = [];
    const visit = (file: string): void => {
      if (files.includes(file)) return;
      files.push(file);
      for (const included of this.document(file).includes) visit(included);
    };
    visit(entry);
    const simpleTypes = new Map<string, { doc: SchemaDoc; node: XmlNode }>();
    const complexTypes = new Map<string, { doc: SchemaDoc; node: XmlNode }>();
    const groups = new Map<string, { doc: SchemaDoc; node: XmlNode }>();
    for (const file of files) {
      const doc = this.document(file);
      for (const [kind, from, into] of [
        ['simpleType', doc.simpleTypes, simpleTypes],
        ['complexType', doc.complexTypes, complexTypes],
        ['group', doc.groups, groups],
      ] as const) {
        for (const [name, node] of from) {
          const seen = into.get(name);
          if (seen) throw new XsdError(file, `xs:${kind} ${name}`, `also defined in ${seen.doc.file}`);
          into.set(name, { doc, node });
        }
      }
    }
    return { scope: { simpleTypes, complexTypes, groups }, files };
  }

  /** A `type`/`base`/`ref` QName: a built-in (XSD namespace) or a component in no namespace. */
  private reference(node: XmlNode, attribute: string, file: string, where: string): { builtin: string } | { local: string } {
    const value = node.attributes[attribute];
    if (!value) throw new XsdError(file, where, `${attribute} is required`);
    const { prefix, local } = splitQName(value.trim());
    const ns = resolvePrefix(node, prefix, file);
    if (ns === XS_NS) return { builtin: local };
    if (ns !== null) throw new XsdError(file, where, `${attribute}="${value}" is in namespace ${ns}; only XML Schema built-ins and this folder's types are supported`);
    return { local };
  }

  /**
   * `xs:simpleType` with one `xs:restriction` (no `xs:list`/`xs:union`) whose base is a supported
   * built-in (`xs:string`, `xs:integer`, `xs:nonNegativeInteger`, `xs:positiveInteger`) or another
   * named simple type, and the facets `length`, `minLength`, `maxLength`, `pattern`,
   * `enumeration` (string and integer types), `totalDigits`, `minInclusive`, `maxInclusive`
   * (integer types). A restriction may only narrow its base.
   */
  simpleType(node: XmlNode, doc: SchemaDoc, scope: Scope, where: string): SimpleType {
    const cached = this.simpleCache.get(node);
    if (cached) return cached;
    const file = doc.file;
    checkAttributes(node, node.attributes['name'] !== undefined ? ['name'] : [], file, where);
    const { annotation, rest } = takeAnnotation(node, file, where);
    const own = parseAnnotation(annotation, file, where, 'other').annotation;
    const restriction = rest[0];
    if (!restriction || rest.length !== 1 || restriction.local !== 'restriction') {
      throw new XsdError(file, where, `exactly one xs:restriction is supported${rest[0] ? ` (found xs:${rest[0].local})` : ''}`);
    }
    const rWhere = breadcrumb(where, restriction);
    checkAttributes(restriction, ['base'], file, rWhere);
    const base = this.reference(restriction, 'base', file, rWhere);
    let builtin: BuiltinType;
    let facets: Facets;
    let notes: Note[] = [...own.notes];
    if ('builtin' in base) {
      if (!(BUILTINS as readonly string[]).includes(base.builtin)) {
        throw new XsdError(file, rWhere, `built-in type xs:${base.builtin} is not supported (supported: ${BUILTINS.map((b) => `xs:${b}`).join(', ')})`);
      }
      builtin = base.builtin as BuiltinType;
      facets = { patterns: [], ...(builtin === 'nonNegativeInteger' ? { minInclusive: 0 } : builtin === 'positiveInteger' ? { minInclusive: 1 } : {}) };
    } else {
      const target = scope.simpleTypes.get(base.local);
      if (!target) {
        const what = scope.complexTypes.has(base.local) ? 'is a complexType; restriction of complex types is not supported' : 'is not defined';
        throw new XsdError(file, rWhere, `base ${base.local} ${what}`);
      }
      const parent = this.simpleType(target.node, target.doc, scope, `xs:simpleType ${base.local}`);
      builtin = parent.builtin;
      facets = parent.facets;
      notes = [...notes, ...parent.notes];
    }
    const { annotation: rAnnotation, rest: facetNodes } = takeAnnotation(restriction, file, rWhere);
    if (rAnnotation) throw new XsdError(file, rWhere, 'annotate the simpleType, not its restriction');
    facets = this.applyFacets(facetNodes, builtin, facets, file, rWhere);
    const result: SimpleType = { kind: 'simple', name: node.attributes['name'], builtin, facets, notes };
    this.simpleCache.set(node, result);
    return result;
  }

  private applyFacets(nodes: readonly XmlNode[], builtin: BuiltinType, base: Facets, file: string, where: string): Facets {
    const isString = builtin === 'string';
    let { minLength, maxLength, enumeration, totalDigits, minInclusive, maxInclusive } = base;
    const stepPatterns: string[] = [];
    const stepEnumeration: EnumerationValue[] = [];
    for (const facet of nodes) {
      const at = breadcrumb(where, facet);
      checkAttributes(facet, ['value'], file, at);
      const value = facet.attributes['value'];
      if (value === undefined) throw new XsdError(file, at, 'value is required');
      const needs = (string: boolean): void => {
        if (string !== isString) throw new XsdError(file, at, `xs:${facet.local} does not apply to ${isString ? 'a string' : 'an integer'} type`);
      };
      const { annotation, rest } = takeAnnotation(facet, file, at);
      if (rest.length > 0) throw new XsdError(file, at, 'a facet holds at most an annotation');
      switch (facet.local) {
        case 'length':
        case 'minLength':
        case 'maxLength': {
          needs(true);
          const n = parseInteger(value, file, at, facet.local);
          if (facet.local !== 'maxLength') {
            if (minLength !== undefined && n < minLength) throw new XsdError(file, at, `minLength ${n} widens the base's ${minLength}`);
            minLength = n;
          }
          if (facet.local !== 'minLength') {
            if (maxLength !== undefined && n > maxLength) throw new XsdError(file, at, `maxLength ${n} widens the base's ${maxLength}`);
            maxLength = n;
          }
          break;
        }
        case 'pattern':
          needs(true); // the typed message holds a number, which a lexical pattern cannot constrain
          try {
            stepPatterns.push(xsdPatternToEcma(value));
          } catch (error) {
            throw new XsdError(file, at, error instanceof Error ? error.message : String(error));
          }
          break;
        case 'enumeration':
          if (!isString && !/^[+-]?[0-9]+$/.test(value)) throw new XsdError(file, at, `${JSON.stringify(value)} is not an integer`);
          stepEnumeration.push({ value, annotation: parseAnnotation(annotation, file, at, 'other').annotation });
          break;
        case 'totalDigits': {
          needs(false);
          const n = parseInteger(value, file, at, 'totalDigits', 1);
          totalDigits = totalDigits === undefined ? n : Math.min(totalDigits, n);
          break;
        }
        case 'minInclusive':
        case 'maxInclusive': {
          needs(false);
          const n = parseInteger(value, file, at, facet.local, Number.MIN_SAFE_INTEGER);
          if (facet.local === 'minInclusive') {
            if (minInclusive !== undefined && n < minInclusive) throw new XsdError(file, at, `minInclusive ${n} widens the base's ${minInclusive}`);
            minInclusive = n;
          } else {
            if (maxInclusive !== undefined && n > maxInclusive) throw new XsdError(file, at, `maxInclusive ${n} widens the base's ${maxInclusive}`);
            maxInclusive = n;
          }
          break;
        }
        default:
          throw new XsdError(file, at, `facet xs:${facet.local} is not supported (supported: length, minLength, maxLength, pattern, enumeration, totalDigits, minInclusive, maxInclusive)`);
      }
    }
    if (minLength !== undefined && maxLength !== undefined && minLength > maxLength) throw new XsdError(file, where, `minLength ${minLength} exceeds maxLength ${maxLength}`);
    if (stepEnumeration.length > 0) {
      if (enumeration && stepEnumeration.some((e) => !enumeration?.some((b) => b.value === e.value))) {
        throw new XsdError(file, where, 'an enumeration may only keep values of its base enumeration');
      }
      enumeration = stepEnumeration;
    }
    return {
      patterns: stepPatterns.length > 0 ? [...base.patterns, stepPatterns] : base.patterns,
      ...(minLength !== undefined ? { minLength } : {}),
      ...(maxLength !== undefined ? { maxLength } : {}),
      ...(enumeration !== undefined ? { enumeration } : {}),
      ...(totalDigits !== undefined ? { totalDigits } : {}),
      ...(minInclusive !== undefined ? { minInclusive } : {}),
      ...(maxInclusive !== undefined ? { maxInclusive } : {}),
    };
  }

  /**
   * A named `xs:complexType`: `xs:annotation`?, `xs:sequence`? of local elements and group
   * references; `refundkit:open="true"` makes it tolerant (undeclared elements are allowed and
   * kept apart). No attributes, no mixed content, no `xs:choice`/`xs:all`, no derivation, and no
   * `xs:openContent` (XSD 1.1: the contract stays valid XSD 1.0).
   */
  complexType(name: string, scope: Scope, file: string, where: string): ComplexType {
    const found = scope.complexTypes.get(name);
    if (!found) {
      throw new XsdError(file, where, `type ${name} is not defined${scope.simpleTypes.has(name) ? '' : ' (no complexType or simpleType of that name)'}`);
    }
    const { node, doc } = found;
    const cached = this.complexCache.get(node);
    if (cached) return cached;
    const at = `xs:complexType ${name}`;
    if (this.complexInProgress.has(node)) throw new XsdError(doc.file, at, 'recursive types are not supported');
    const other = this.complexByName.get(name);
    if (other) throw new XsdError(doc.file, at, `another complexType ${name} is defined in ${other.file}; type names become TypeScript names and must be unique`);
    this.complexInProgress.add(node);
    this.complexOrder.push(name);
    checkAttributes(node, ['name', OPEN_ATTRIBUTE], doc.file, at);
    const open = openAttribute(node, doc.file, at);
    const { annotation, rest } = takeAnnotation(node, doc.file, at);
    let elements: ElementDecl[] = [];
    let index = 0;
    if (rest[index]?.local === 'openContent') {
      throw new XsdError(doc.file, breadcrumb(at, rest[index] as XmlNode), `xs:openContent is XSD 1.1, which XSD 1.0 processors (xmllint, most XML tooling) cannot compile: declare a tolerant type with ${OPEN_ATTRIBUTE}="true" on its xs:complexType`);
    }
    if (rest[index]?.local === 'sequence') {
      elements = this.sequence(rest[index] as XmlNode, doc, scope, breadcrumb(at, rest[index] as XmlNode));
      index++;
    }
    const extra = rest[index];
    if (extra) throw new XsdError(doc.file, breadcrumb(at, extra), `xs:${extra.local} is not supported in a complexType (supported: annotation, sequence)`);
    const result: ComplexType = {
      kind: 'complex',
      name,
      file: doc.file,
      open,
      annotation: parseAnnotation(annotation, doc.file, at, 'other').annotation,
      elements,
    };
    this.complexInProgress.delete(node);
    this.complexCache.set(node, result);
    this.complexByName.set(name, result);
    return result;
  }

  /** `xs:sequence` (occurring once) of `xs:element` and `xs:group ref`, flattened; element names unique. */
  private sequence(node: XmlNode, doc: SchemaDoc, scope: Scope, where: string): ElementDecl[] {
    checkAttributes(node, [], doc.file, where);
    const { annotation, rest } = takeAnnotation(node, doc.file, where);
    if (annotation) throw new XsdError(doc.file, where, 'annotate the type, not its sequence');
    const out: ElementDecl[] = [];
    for (const child of rest) {
      const at = breadcrumb(where, child);
      if (child.local === 'element') out.push(this.element(child, doc, scope, at));
      else if (child.local === 'group') out.push(...this.groupRef(child, doc, scope, at));
      else throw new XsdError(doc.file, at, `xs:${child.local} is not supported in a sequence (supported: element, group ref)`);
    }
    const names = new Set<string>();
    for (const element of out) {
      if (names.has(element.name)) throw new XsdError(doc.file, where, `element ${element.name} is declared twice in one sequence`);
      names.add(element.name);
    }
    return out;
  }

  /** `xs:group ref="..."` occurring once: the named group's sequence, inlined. */
  private groupRef(node: XmlNode, doc: SchemaDoc, scope: Scope, where: string): ElementDecl[] {
    checkAttributes(node, ['ref', 'minOccurs', 'maxOccurs'], doc.file, where);
    if ((node.attributes['minOccurs'] ?? '1') !== '1' || (node.attributes['maxOccurs'] ?? '1') !== '1') {
      throw new XsdError(doc.file, where, 'group references must occur exactly once');
    }
    if (node.children.length > 0) throw new XsdError(doc.file, where, 'a group reference takes no content');
    const ref = this.reference(node, 'ref', doc.file, where);
    if ('builtin' in ref) throw new XsdError(doc.file, where, 'ref must name a group of this folder');
    const target = scope.groups.get(ref.local);
    if (!target) throw new XsdError(doc.file, where, `group ${ref.local} is not defined`);
    const gWhere = `xs:group ${ref.local}`;
    checkAttributes(target.node, ['name'], target.doc.file, gWhere);
    const { rest } = takeAnnotation(target.node, target.doc.file, gWhere);
    const body = rest[0];
    if (!body || rest.length !== 1 || body.local !== 'sequence') throw new XsdError(target.doc.file, gWhere, 'a group must hold exactly one xs:sequence');
    return this.sequence(body, target.doc, scope, breadcrumb(gWhere, body));
  }

  /**
   * A local `xs:element`: `name`, `type` (or an anonymous `xs:simpleType`), `minOccurs`,
   * `maxOccurs`, `fixed`. Not supported: `ref`, `default`, `nillable`, anonymous complex types
   * (name them: the name becomes the TypeScript interface).
   */
  element(node: XmlNode, doc: SchemaDoc, scope: Scope, where: string, global = false): ElementDecl {
    const file = doc.file;
    if ('ref' in node.attributes) throw new XsdError(file, where, 'element references (ref=) are not supported: declare the element where it is used');
    checkAttributes(node, global ? ['name', 'type'] : ['name', 'type', 'minOccurs', 'maxOccurs', 'fixed'], file, where);
    const name = node.attributes['name'];
    if (!name || !NCNAME.test(name)) throw new XsdError(file, where, 'an element needs a name');
    const minOccurs = node.attributes['minOccurs'] === undefined ? 1 : parseInteger(node.attributes['minOccurs'], file, where, 'minOccurs');
    const rawMax = node.attributes['maxOccurs'];
    const maxOccurs: number | 'unbounded' = rawMax === undefined ? 1 : rawMax === 'unbounded' ? 'unbounded' : parseInteger(rawMax, file, where, 'maxOccurs', 1);
    if (maxOccurs !== 'unbounded' && minOccurs > maxOccurs) throw new XsdError(file, where, `minOccurs ${minOccurs} exceeds maxOccurs ${maxOccurs}`);
    const { annotation, rest } = takeAnnotation(node, file, where);
    const parsed = parseAnnotation(annotation, file, where, 'element');
    let type: SimpleType | ComplexType;
    const inline = rest[0];
    if (rest.length > 1) throw new XsdError(file, where, 'an element holds at most one type definition');
    if (inline) {
      if (inline.local === 'complexType') throw new XsdError(file, breadcrumb(where, inline), 'anonymous complex types are not supported: name the complexType (it becomes a TypeScript interface)');
      if (inline.local !== 'simpleType') throw new XsdError(file, breadcrumb(where, inline), `xs:${inline.local} is not supported in an element`);
      if ('type' in node.attributes) throw new XsdError(file, where, 'type and an inline simpleType together');
      type = this.simpleType(inline, doc, scope, breadcrumb(where, inline));
    } else {
      const ref = this.reference(node, 'type', file, where);
      if ('builtin' in ref) {
        if (!(BUILTINS as readonly string[]).includes(ref.builtin)) throw new XsdError(file, where, `built-in type xs:${ref.builtin} is not supported (supported: ${BUILTINS.map((b) => `xs:${b}`).join(', ')})`);
        type = { kind: 'simple', name: undefined, builtin: ref.builtin as BuiltinType, facets: { patterns: [], ...(ref.builtin === 'nonNegativeInteger' ? { minInclusive: 0 } : ref.builtin === 'positiveInteger' ? { minInclusive: 1 } : {}) }, notes: [] };
      } else if (scope.simpleTypes.has(ref.local)) {
        const target = scope.simpleTypes.get(ref.local) as { doc: SchemaDoc; node: XmlNode };
        type = this.simpleType(target.node, target.doc, scope, `xs:simpleType ${ref.local}`);
      } else {
        type = this.complexType(ref.local, scope, file, where);
      }
    }
    const fixed = node.attributes['fixed'];
    if (fixed !== undefined && type.kind !== 'simple') throw new XsdError(file, where, 'fixed applies to simple types only');
    if (parsed.json !== undefined) {
      if (type.kind !== 'simple' || type.builtin !== 'string') throw new XsdError(file, where, 'refundkit:json needs a string-typed element');
      if (fixed !== undefined) throw new XsdError(file, where, 'refundkit:json and fixed together');
      if (!existsSync(join(this.specDir, parsed.json))) throw new XsdError(file, where, `refundkit:json schema ${parsed.json} not found beside the XSD`);
      this.jsonFiles.add(parsed.json);
    }
    return { name, minOccurs, maxOccurs, fixed, annotation: parsed.annotation, type, json: parsed.json };
  }
}

function operationRank(name: string): [number, string, number] {
  const [operation = '', direction = ''] = name.split('.');
  const rank = OPERATION_ORDER.indexOf(operation);
  return [rank < 0 ? OPERATION_ORDER.length : rank, operation, direction === 'request' ? 0 : 1];
}

function compareMessages(a: string, b: string): number {
  const [ra, oa, da] = operationRank(a);
  const [rb, ob, db] = operationRank(b);
  return ra - rb || (oa < ob ? -1 : oa > ob ? 1 : 0) || da - db;
}

/** The one value every file that states `key` agrees on. */
function agreed(docs: readonly SchemaDoc[], key: 'title' | 'encoding' | 'stringLength' | 'tolerantStringLength' | 'version'): string | undefined {
  let value: string | undefined;
  let from = '';
  for (const doc of docs) {
    const v = doc.settings[key];
    if (v === undefined) continue;
    if (value !== undefined && v !== value) throw new XsdError(doc.file, 'xs:schema', `${key} ${JSON.stringify(v)} disagrees with ${JSON.stringify(value)} in ${from}`);
    value = v;
    from = doc.file;
  }
  return value;
}

/**
 * Reads every `*.xsd` of a spec folder into an {@link XsdContract}. Each
 * `<operation>.<request|response>.xsd` is one message: its single global `xs:element` is the
 * document root, whose named complex type starts with a `fixed` element (the message type, e.g.
 * `request_type`). Other XSDs must be reached through `xs:include`. Each message file states the
 * wire encoding (`<refundkit:encoding>`); anything outside the supported subset fails with the
 * file and the construct.
 */
export function parseXsdContract(specDir: string): XsdContract {
  const xsdFiles = readdirSync(specDir).filter((f) => f.endsWith('.xsd')).sort();
  const messageFiles = xsdFiles.filter((f) => MESSAGE_FILE.test(f));
  if (messageFiles.length === 0) throw new Error(`${specDir}: no <operation>.<request|response>.xsd message schema`);
  const reader = new ContractReader(specDir);
  const messages: MessageSchema[] = [];
  const reached = new Set<string>();
  for (const file of [...messageFiles].sort((a, b) => compareMessages(a.slice(0, -4), b.slice(0, -4)))) {
    const { scope, files } = reader.scopeOf(file);
    files.forEach((f) => reached.add(f));
    const doc = reader.document(file);
    for (const included of files.slice(1)) {
      const other = reader.document(included);
      if (other.elements.length > 0) throw new XsdError(included, 'xs:schema', 'global elements belong in message files only');
      if (MESSAGE_FILE.test(included)) throw new XsdError(file, 'xs:include', `includes the message schema ${included}`);
    }
    const rootNode = doc.elements[0];
    if (!rootNode || doc.elements.length !== 1) throw new XsdError(file, 'xs:schema', 'a message schema declares exactly one global element, the document root');
    const root = reader.element(rootNode, doc, scope, breadcrumb('xs:schema', rootNode), true);
    if (root.type.kind !== 'complex') throw new XsdError(file, breadcrumb('xs:schema', rootNode), 'the root element needs a complex type');
    const rootType = root.type;
    const discriminator = rootType.elements[0];
    if (!discriminator || discriminator.fixed === undefined || discriminator.type.kind !== 'simple' || discriminator.type.builtin !== 'string' || discriminator.minOccurs !== 1 || discriminator.maxOccurs !== 1) {
      throw new XsdError(file, `xs:complexType ${rootType.name}`, 'the first element must be the message type: a required string element with a fixed value (e.g. request_type)');
    }
    if (!doc.settings.encoding) throw new XsdError(file, 'xs:schema', 'each message schema states the wire encoding in <refundkit:encoding>');
    messages.push({
      name: file.slice(0, -4),
      file,
      annotation: doc.annotation,
      root: { ...root, type: rootType },
      typeElement: discriminator.name,
      typeValue: discriminator.fixed,
    });
  }
  const unused = xsdFiles.filter((f) => !reached.has(f));
  if (unused.length > 0) throw new XsdError(unused[0] as string, '', 'is neither a message schema (<operation>.<request|response>.xsd) nor included by one');
  const seenTypes = new Set<string>();
  for (const m of messages) {
    const key = `${m.root.name}\u0000${m.typeElement}\u0000${m.typeValue}`;
    if (seenTypes.has(key)) throw new XsdError(m.file, m.typeElement, `${m.typeValue} is also the type of another message: messages must be told apart by root and type`);
    seenTypes.add(key);
  }
  const docs = reader.loadedDocuments().sort((a, b) => (a.file < b.file ? -1 : 1));
  const encoding = agreed(docs, 'encoding') as string;
  try {
    new TextDecoder(encoding);
  } catch {
    throw new XsdError(docs[0]?.file ?? '', 'refundkit:encoding', `unknown encoding ${encoding}`);
  }
  const stringLength = agreed(docs, 'stringLength') ?? 'characters';
  const tolerantStringLength = agreed(docs, 'tolerantStringLength') ?? stringLength;
  for (const unit of [stringLength, tolerantStringLength]) {
    if (!(STRING_LENGTH_UNITS as readonly string[]).includes(unit)) {
      throw new XsdError(docs.find((d) => d.settings.stringLength)?.file ?? '', 'refundkit:string-length', `${unit} is not supported (supported: ${STRING_LENGTH_UNITS.join(', ')})`);
    }
  }
  const transports = docs.filter((d) => d.settings.transport);
  if (transports.length > 1) throw new XsdError(transports[1]?.file ?? '', 'refundkit:transport', `also stated in ${transports[0]?.file}`);
  const stated = <K extends 'currencies' | 'refundAmount'>(key: K): SchemaDoc['settings'][K] => {
    const from = docs.filter((d) => d.settings[key] !== undefined);
    if (from.length > 1) throw new XsdError(from[1]?.file ?? '', `refundkit:${key}`, `also stated in ${from[0]?.file}`);
    return from[0]?.settings[key];
  };
  return {
    xsdFiles: docs.map((d) => d.file),
    jsonSchemaFiles: [...reader.jsonFiles].sort(),
    messages,
    complexTypes: reader.complexTypes(),
    fileAnnotations: Object.fromEntries(docs.map((d) => [d.file, d.annotation])),
    settings: {
      title: agreed(docs, 'title'),
      encoding,
      stringLength: stringLength as StringLengthUnit,
      tolerantStringLength: tolerantStringLength as StringLengthUnit,
      transport: transports[0]?.settings.transport,
      currencies: stated('currencies'),
      refundAmount: stated('refundAmount'),
      version: agreed(docs, 'version'),
    },
  };
}
