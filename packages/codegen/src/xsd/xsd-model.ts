/**
 * The small model the XSD generator works on: what `parseXsdContract` reads out of
 * `specs/<provider>/*.xsd`, with includes, groups and named types resolved. Everything the
 * emitters need is here; nothing refers back to the XML.
 */

/** `xs:documentation`, with its `xml:lang` (`zh`, `en`). */
export interface Documentation {
  readonly lang: string | undefined;
  readonly text: string;
}

/** `<refundkit:assumption>` / `<refundkit:correction>` in an `xs:appinfo`. */
export interface Note {
  readonly kind: 'assumption' | 'correction';
  readonly text: string;
}

/** `xs:annotation`: its documentation and refundkit notes. */
export interface Annotation {
  readonly documentation: readonly Documentation[];
  readonly notes: readonly Note[];
}

/** The XSD built-in types the subset accepts as the root of a restriction chain. */
export type BuiltinType = 'string' | 'integer' | 'nonNegativeInteger' | 'positiveInteger';

/** `xs:enumeration`: a value and its own annotation. */
export interface EnumerationValue {
  readonly value: string;
  readonly annotation: Annotation;
}

/** The facets of a restriction chain, merged from the built-in type down. */
export interface Facets {
  readonly minLength?: number;
  readonly maxLength?: number;
  /**
   * `xs:pattern`, already as anchored ECMAScript sources: one entry per derivation step; the
   * patterns of one step are alternatives, the steps must all match (XSD semantics).
   */
  readonly patterns: readonly (readonly string[])[];
  readonly enumeration?: readonly EnumerationValue[];
  readonly totalDigits?: number;
  readonly minInclusive?: number;
  readonly maxInclusive?: number;
}

/** `xs:simpleType` (named or anonymous) with its `xs:restriction` chain resolved. */
export interface SimpleType {
  readonly kind: 'simple';
  readonly name: string | undefined;
  /** `string` or one of the integer types: decides text versus number in the typed message. */
  readonly builtin: BuiltinType;
  readonly facets: Facets;
  /** The refundkit notes of this type and of the named types it restricts, nearest first. */
  readonly notes: readonly Note[];
}

/** A named `xs:complexType` with an `xs:sequence` of elements (groups expanded). */
export interface ComplexType {
  readonly kind: 'complex';
  readonly name: string;
  /** Spec-folder-relative file that declares it. */
  readonly file: string;
  /**
   * `refundkit:open="true"` on the `xs:complexType`: undeclared child elements are allowed and
   * ignored on decode (a tolerant response). A foreign-namespace attribute, which XSD 1.0
   * processors accept and ignore: for them the type stays closed (XSD 1.0 has no open content for
   * unqualified elements; `xs:openContent` is XSD 1.1).
   */
  readonly open: boolean;
  readonly annotation: Annotation;
  /** The sequence, in wire order. */
  readonly elements: readonly ElementDecl[];
}

/** A local `xs:element` of a sequence. */
export interface ElementDecl {
  readonly name: string;
  readonly minOccurs: number;
  readonly maxOccurs: number | 'unbounded';
  /** `fixed="..."`: the only value the element may have. */
  readonly fixed: string | undefined;
  readonly annotation: Annotation;
  readonly type: SimpleType | ComplexType;
  /**
   * `<refundkit:json schema="goods_detail.schema.json"/>`: the element's text is JSON described
   * by that schema file (spec-folder-relative); the typed message holds the parsed value.
   */
  readonly json: string | undefined;
}

/** One contract message: an XSD file named `<operation>.<request|response>.xsd`. */
export interface MessageSchema {
  /** `refund.request`. */
  readonly name: string;
  /** `refund.request.xsd` (spec-folder-relative). */
  readonly file: string;
  /** The file's schema-level annotation. */
  readonly annotation: Annotation;
  /** The file's single global element (`business_trans`). */
  readonly root: ElementDecl & { readonly type: ComplexType };
  /** The first element of the root's sequence, which has a `fixed` value: `request_type`. */
  readonly typeElement: string;
  /** Its fixed value, which tells messages with the same root apart. */
  readonly typeValue: string;
}

/** `<refundkit:string-length>`: what an `xs:maxLength` of a string type counts. */
export type StringLengthUnit = 'characters' | 'encoded-bytes';
export const STRING_LENGTH_UNITS: readonly StringLengthUnit[] = ['characters', 'encoded-bytes'];

/** Where a contract's refund amount is: a (dotted) field of a message, in major or minor units. */
export interface RefundAmountField {
  readonly message: string;
  readonly field: string;
  readonly unit: 'major' | 'minor';
}

/** Contract-wide settings from schema-level `xs:appinfo` (`refundkit:encoding`, ...). */
export interface ContractSettings {
  readonly title: string | undefined;
  /** The wire encoding (`GBK`), which every message file declares. */
  readonly encoding: string;
  /**
   * How `String(N)` maxima (`xs:maxLength` of string types) count: `characters` (code points, as
   * XSD does), or `encoded-bytes`, the bytes of the field's text in {@link encoding} (yima: GBK,
   * where a Chinese character is 2 bytes). `xs:minLength` always counts characters.
   */
  readonly stringLength: StringLengthUnit;
  /**
   * The same for tolerant types (`refundkit:open`, the answers): `<refundkit:string-length
   * tolerant="characters">`. Defaults to {@link stringLength}. Counting an answer's `String(N)` in
   * characters, the weaker reading, never refuses an answer for a byte count the document does not
   * state, while what refundkit sends is held to the stricter one.
   */
  readonly tolerantStringLength: StringLengthUnit;
  /** `<refundkit:currencies>CNY</refundkit:currencies>`: the currencies refunds may be in, the default first. */
  readonly currencies: readonly string[] | undefined;
  /**
   * `<refundkit:refund-amount message="refund.request" unit="minor">tx_amt</refundkit:refund-amount>`:
   * the field of a message that carries the refund's amount, and its unit (the provider registry
   * turns the field's limit into `<PROVIDER>_MAX_AMOUNT`).
   */
  readonly refundAmount: RefundAmountField | undefined;
  /** `<refundkit:transport method content-type/>`. */
  readonly transport: { readonly method: string; readonly contentType: string } | undefined;
  /** The `version` attribute of the schemas (all equal). */
  readonly version: string | undefined;
}

/** Everything read from a spec folder of XSDs. */
export interface XsdContract {
  /** Every XSD read, spec-folder-relative, sorted. */
  readonly xsdFiles: readonly string[];
  /** JSON Schema files referenced by `refundkit:json`, spec-folder-relative, sorted. */
  readonly jsonSchemaFiles: readonly string[];
  /** Messages, in operation order (refund, queryRefund, refundNotification, others), request first. */
  readonly messages: readonly MessageSchema[];
  /** Every complex type used, in order of first use. */
  readonly complexTypes: readonly ComplexType[];
  /** Schema-level annotations, per file. */
  readonly fileAnnotations: Readonly<Record<string, Annotation>>;
  readonly settings: ContractSettings;
}
