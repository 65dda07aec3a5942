import type { ImportsByModule } from '../../emit/imports.js';
import type { ClientNotification, ClientOperation } from '../operations.js';

/**
 * The code a signing scheme contributes to a generated JSON client. Each scheme named by a
 * spec's `x-refundkit-signing.scheme` has one; the client emitter stitches them in.
 */
export interface SchemeEmitter {
  /** Names imported from `@refundkit/signing`. */
  readonly signingImports: readonly string[];
  /** Names imported from `@refundkit/runtime` besides the client's own. */
  readonly runtimeImports?: readonly string[];
  /** Names that `setup` and `declarations` use from other modules, e.g. `{ 'node:crypto': ['randomUUID'] }`. */
  readonly moduleImports?: ImportsByModule;
  /** Members of the client's options interface, each with its doc comment. */
  readonly options: readonly string[];
  /** Statements run once in the factory before `http` is created (signers are built here, keys parsed once). */
  readonly setup: readonly string[];
  /**
   * Expression of a function `({ method, url, body }) => headers`, called once in `prepare<Op>`
   * over the final URL and serialised body: a signature carried in headers (Ti-Pay). Synchronous.
   */
  readonly signHeaders?: string;
  /**
   * Expression of type `RequestHeadersHook`, run by the transport at send time: headers a
   * merchant's own hook adds over the final request (may be asynchronous); default none.
   */
  readonly headersFor?: string;
  /** Module-level declarations (helper types and functions). */
  readonly declarations?: readonly string[];
  /** The type the caller passes for an operation; default `Messages[input]`. */
  inputType?(op: ClientOperation): string | undefined;
  /** Expression turning `input` into the unsigned payload to validate; default `input`. */
  complete?(op: ClientOperation): string | undefined;
  /** Expression turning the validated `payload` into the wire body; default `payload`. */
  sign?(op: ClientOperation): string | undefined;
  /** Expression of type `(parsed, raw) => VerificationOutcome` checking an answer, if the scheme signs answers. */
  verifyAnswer?(op: ClientOperation): string | undefined;
  /** Option lines for the README's example (after `baseUrl`). */
  readonly readmeOptions: readonly string[];
  /** Names that `readmeOptions` use, e.g. `{ 'node:fs': ['readFileSync'] }`. */
  readonly readmeImports?: ImportsByModule;
  /** Turns a documented request example into what the caller passes (drops what the client builds). */
  readmeInput?(example: Record<string, unknown>): Record<string, unknown>;
  /** For `verifyNotification`: expressions for the check and for whether anything was verified. */
  verifyNotification?(n: ClientNotification): { readonly verify: string; readonly verified: string } | undefined;
}
