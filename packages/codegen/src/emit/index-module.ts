/**
 * What every generated package's `src/index.ts` has in common, whatever its contract (OpenAPI or
 * XSD): the re-exports of its modules and `validateMessage`. Each generator adds its own imports
 * and exports around these lines.
 */

/** The re-exports of types, message names, validators and contract (the client comes last). */
export const INDEX_COMMON_EXPORTS: readonly string[] = [
  "export type * from './types.js';",
  "export type { Messages, MessageName } from './messages.js';",
  "export { messageNames } from './messages.js';",
  "export { validators } from './validators.js';",
  "export { contract } from './contract.js';",
];

/** `validateMessage`: needs `assertValid`, `MessageName`, `Messages` and `validators` imported. */
export const VALIDATE_MESSAGE_FUNCTION: readonly string[] = [
  '/**',
  ' * Checks a message against the contract and returns it typed, or throws a `ValidationError`',
  ' * naming every failing field and rule.',
  ' */',
  'export function validateMessage<K extends MessageName>(name: K, value: unknown): Messages[K] {',
  '  return assertValid(validators[name], value, name);',
  '}',
];
