/**
 * Every answer the sandbox sends must validate against the provider's response schema (issue 5,
 * "every response it sends validates against the provider's response schema"). Each answer is
 * built, then checked here with the generated validator before it leaves; an answer that fails
 * is a sandbox bug, sent as HTTP 500 with the issues and listed by `Sandbox.selfCheckFailures()`
 * so tests fail loudly instead of teaching a client the wrong contract.
 */
import { schemaErrorsToIssues, type CompiledValidator, type ValidationIssue } from '@refundkit/runtime';

export class SelfCheckError extends Error {
  override readonly name = 'SelfCheckError';
  constructor(
    readonly messageName: string,
    readonly issues: readonly ValidationIssue[],
  ) {
    super(`the sandbox built a ${messageName} that breaks its own contract: ${issues.map((i) => `${i.path || '(root)'} ${i.message}`).join('; ')}`);
  }
}

/** Returns `value` when `validator` accepts it, otherwise throws {@link SelfCheckError}. */
export function checked<T>(validator: CompiledValidator<unknown>, messageName: string, value: T): T {
  if (!validator(value)) throw new SelfCheckError(messageName, schemaErrorsToIssues(validator.errors ?? []));
  return value;
}
