import type { ContractField } from './contract-field.js';
import type { InventoryField } from './inventory.js';

/** A fact the document states that the contract does not carry as stated. */
export interface Disagreement {
  readonly message: string;
  readonly field: string;
  readonly aspect: 'required' | 'maxLength' | 'minLength' | 'maxDigits' | 'minimum' | 'maximum';
  readonly document: boolean | number;
  readonly contract: boolean | number | undefined;
}

const LIMITS = ['maxLength', 'minLength', 'maxDigits', 'minimum', 'maximum'] as const;

/** Where the contract's required-ness and limits for a field differ from the document's. */
export function disagreements(field: InventoryField, contract: ContractField): Disagreement[] {
  const out: Disagreement[] = [];
  const at = { message: field.message, field: field.location ? `${field.location}:${field.field}` : field.field };
  if (field.required !== undefined && field.required !== contract.required) {
    out.push({ ...at, aspect: 'required', document: field.required, contract: contract.required });
  }
  for (const aspect of LIMITS) {
    const stated = field[aspect];
    if (stated !== undefined && stated !== contract[aspect]) out.push({ ...at, aspect, document: stated, contract: contract[aspect] });
  }
  return out;
}

/** One line per disagreement, for a failure message a reader can act on. */
export function describeDisagreement(d: Disagreement): string {
  return `${d.message} ${d.field}: the document says ${d.aspect} ${String(d.document)}, the contract ${d.contract === undefined ? 'has none' : String(d.contract)}`;
}
