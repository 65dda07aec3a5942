/**
 * What a contract (an OpenAPI spec or yima's XSDs) says about one field, in the terms a provider
 * document uses: required or not, and its length, digit and range limits.
 */
export interface ContractField {
  /** Required unconditionally (a conditional `if`/`then` requirement does not count). */
  readonly required: boolean;
  readonly maxLength?: number;
  readonly minLength?: number;
  /** From XSD `totalDigits`, or from a `maximum` of the form 10^N - 1. */
  readonly maxDigits?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  /** The `x-refundkit-assumption` / `x-refundkit-correction` notes written on the field itself. */
  readonly notes: readonly string[];
}

/** The facts of a contract that the field inventory is checked against. */
export interface Contract {
  /** Every property, parameter, header and element name the contract declares. */
  readonly names: ReadonlySet<string>;
  /** The text of every correction note (a printed name the spec decides against is named there). */
  readonly corrections: string;
  /** The field at `path` (dotted, `[]` = list items) of `message`, or undefined if there is none. */
  field(message: string, path: string, location?: 'header'): ContractField | undefined;
  /** The notes written on a named schema (OpenAPI component, JSON Schema `$defs`, XSD type). */
  notesOf(schema: string): readonly string[];
}

/** `^[0-9a-f]{64}$` or `^([0-9a-f]{64})?$`: a pattern that fixes the length, and that length. */
export function patternLength(pattern: unknown): number | undefined {
  if (typeof pattern !== 'string') return undefined;
  const m = /^\^\(?\[[^\]]+\]\{(\d+)\}\)?\??\$$/.exec(pattern);
  return m ? Number(m[1]) : undefined;
}

/** N when `maximum` is 10^N - 1 (the largest number of N digits). */
export function digitsOfMaximum(maximum: number | undefined): number | undefined {
  if (maximum === undefined || !/^9+$/.test(String(maximum))) return undefined;
  return String(maximum).length;
}

/** A note value (`x-refundkit-…` string or list) as a list of texts. */
export function noteTexts(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
}
