// What an exchange that ended without a usable answer means for the refund.
import { RefundkitError, TransportError } from '@refundkit/runtime';
import type { ProviderAnswer } from '../providers/adapter.js';

/**
 * What a failed exchange means for the refund: surely never sent → `failed` (no money moved);
 * anything else — a timeout, a reset, a bad signature, a malformed, oversized or foreign answer,
 * even a bug after the request left — is `unknown`, never a thrown error.
 */
export function answerForError(error: unknown): ProviderAnswer {
  if (error instanceof TransportError && !error.mayHaveReachedProvider) {
    return { status: 'failed', failure: { source: 'transport', code: error.code, message: error.message }, raw: '', providerMayKnow: false };
  }
  if (error instanceof RefundkitError) {
    const rawBody = (error as { rawBody?: unknown }).rawBody;
    return { status: 'unknown', failure: { source: error instanceof TransportError ? 'transport' : 'local', code: error.code, message: error.message }, raw: typeof rawBody === 'string' ? rawBody : '' };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { status: 'unknown', failure: { source: 'local', code: 'internal_error', message: `refundkit failed after the request may have left (${message}); the outcome is unknown` }, raw: '' };
}

/**
 * A request that never left: `failed` with its failure, `providerMayKnow: false`. The ledger
 * keeps the refund `unknown` instead when an earlier attempt may have reached the provider (the
 * refusal rule in `ledger-rules.ts`), for a query to decide.
 */
export function notSent(failure: ProviderAnswer['failure'] & object): ProviderAnswer {
  return { status: 'failed', failure, raw: '', providerMayKnow: false };
}
