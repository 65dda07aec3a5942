import { ValidationError } from '../errors/validation-error.js';
import type { CompiledValidator } from './compiled-validator.js';
import { schemaErrorsToIssues } from './issues.js';

/**
 * Checks `value` against a precompiled contract validator and returns it typed, or throws a
 * `ValidationError` listing every failing field (validators are compiled with `allErrors`).
 *
 * @example
 * const body = assertValid(validators['refund.request'], input, 'refund.request');
 */
export function assertValid<T>(validator: CompiledValidator<T>, value: unknown, messageName: string): T {
  if (validator(value)) return value;
  throw new ValidationError(messageName, schemaErrorsToIssues(validator.errors ?? []));
}
