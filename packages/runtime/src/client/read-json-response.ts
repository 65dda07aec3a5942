import { ResponseError } from '../errors/response-error.js';
import { parseAnswerJson } from './json-shape.js';
import { SignatureError } from '../errors/signature-error.js';
import type { CompiledValidator } from '../validation/compiled-validator.js';
import { schemaErrorsToIssues } from '../validation/issues.js';

/** What a signature check says (the shape of `@refundkit/signing`'s `VerificationResult`). */
export interface VerificationOutcome {
  readonly valid: boolean;
  readonly reason?: string;
}

export interface ReadResponseOptions<T> {
  /** The contract message, e.g. `refund.response`. */
  readonly messageName: string;
  readonly validator: CompiledValidator<T>;
  /**
   * Checks the signature before anything else is believed: on the parsed body (body-embedded
   * signatures) or on the raw text and headers (header signatures).
   */
  readonly verify?: ((parsed: unknown, raw: RawAnswer) => VerificationOutcome) | undefined;
  /** The answer's headers, for header signatures. */
  readonly headers?: Headers | undefined;
  /** The answer's bytes exactly as received, for signatures over bytes. Default: `rawBody` as UTF-8. */
  readonly rawBytes?: Uint8Array | undefined;
}

/** The answer as received, for signature checks over exact bytes. */
export interface RawAnswer {
  readonly body: string;
  readonly bytes: Uint8Array;
  readonly headers: Headers;
}

/**
 * Reads a provider's JSON answer in the only safe order: parse, verify the signature (a
 * mismatch is a `SignatureError`: the body is never reported as a success), then validate
 * against the response schema (a violation is a `ResponseError` carrying the raw body).
 * Unknown fields pass: response schemas are open.
 *
 * The parse is strict where `JSON.parse` is not: a key given twice in one object
 * (`answer_duplicate_key`) or nesting beyond `MAX_ANSWER_DEPTH` (`answer_too_deep`) is a
 * `ResponseError`, so no reader downstream (signature, mapping) meets either. A verifier that
 * throws instead of answering is a `SignatureError`: an answer that cannot be verified is not.
 */
export function readJsonResponse<T>(rawBody: string, options: ReadResponseOptions<T>): T {
  const parsed = parseAnswerJson(rawBody, options.messageName);
  if (options.verify) {
    const bytes = options.rawBytes ?? new TextEncoder().encode(rawBody);
    let outcome: VerificationOutcome;
    try {
      outcome = options.verify(parsed, { body: rawBody, bytes, headers: options.headers ?? new Headers() });
    } catch (error) {
      throw new SignatureError(`${options.messageName} signature cannot be checked (${error instanceof Error ? error.message : String(error)})`, rawBody);
    }
    if (!outcome.valid) {
      throw new SignatureError(`${options.messageName} signature does not verify${outcome.reason ? ` (${outcome.reason})` : ''}`, rawBody);
    }
  }
  return assertResponse(parsed, rawBody, options);
}

/** Validates a decoded answer; a violation is a `ResponseError` naming every field. */
export function assertResponse<T>(value: unknown, rawBody: string, options: Pick<ReadResponseOptions<T>, 'messageName' | 'validator'>): T {
  if (options.validator(value)) return value;
  const issues = schemaErrorsToIssues(options.validator.errors ?? []);
  throw new ResponseError(`${options.messageName} breaks the contract: ${issues.map((i) => i.message).join('; ')}`, rawBody, issues);
}
