import { RefundkitError } from './refundkit-error.js';
import type { ValidationIssue } from './validation-error.js';

/**
 * Why an answer was refused, when it is more than "breaks the contract" (`response_invalid`):
 * - `answer_too_deep`: nested deeper than {@link MAX_ANSWER_DEPTH} levels;
 * - `answer_duplicate_key`: a JSON object names one key twice (`"code":"FAIL","code":"SUCCESS"`);
 * - `answer_repeated_element`: an XML element the contract declares once appears again;
 * - `answer_encoding`: an encoding the contract does not allow, or bytes invalid in it;
 * - `answer_truncated`: the document ends before its root element is closed.
 */
export type AnswerRejection =
  | 'response_invalid'
  | 'answer_too_deep'
  | 'answer_duplicate_key'
  | 'answer_repeated_element'
  | 'answer_encoding'
  | 'answer_truncated';

/**
 * The provider answered, but not in a shape the contract allows where it matters (missing
 * status, wrong type, unparseable body, nested too deep, a key or element given twice). The
 * outcome of the refund is unknown: the request was sent.
 *
 * `rawBody` is the answer as text; the transport caps an answer's size (`maxAnswerBytes`), so it
 * is bounded.
 */
export class ResponseError extends RefundkitError {
  readonly rawBody: string;
  readonly issues: readonly ValidationIssue[];
  /** An answer is read only after the request was sent: the provider may have acted on it. */
  readonly mayHaveReachedProvider = true;

  constructor(message: string, rawBody: string, issues: readonly ValidationIssue[] = [], options?: { cause?: unknown; code?: AnswerRejection }) {
    super(options?.code ?? 'response_invalid', message, options);
    this.rawBody = rawBody;
    this.issues = issues;
  }
}

/**
 * The deepest nesting refundkit reads in a provider's answer (JSON objects and arrays, XML
 * elements, JSON carried inside a field). Every answer in the five providers' documents is under
 * 6 levels; the limit keeps each walker's recursion far from the stack's end (a 5,000-deep
 * element or 20,000-deep array overflows it), and an answer beyond it is an `answer_too_deep`
 * {@link ResponseError}.
 */
export const MAX_ANSWER_DEPTH = 64;

const REJECTION_BY_RULE: Readonly<Record<string, AnswerRejection>> = {
  depth: 'answer_too_deep',
  duplicateKey: 'answer_duplicate_key',
  maxOccurs: 'answer_repeated_element',
  encoding: 'answer_encoding',
  truncated: 'answer_truncated',
};

/**
 * The {@link ResponseError} code for a decoder's issues (a codec names the rule it applied, e.g.
 * `maxOccurs`): the first issue whose rule says more than "breaks the contract", else
 * `response_invalid`.
 *
 * @example
 * answerRejectionFor([{ path: 'result.id', rule: 'maxOccurs', message: '...' }]) // 'answer_repeated_element'
 */
export function answerRejectionFor(issues: readonly ValidationIssue[]): AnswerRejection {
  for (const issue of issues) {
    const code = Object.hasOwn(REJECTION_BY_RULE, issue.rule) ? REJECTION_BY_RULE[issue.rule] : undefined;
    if (code !== undefined) return code;
  }
  return 'response_invalid';
}
