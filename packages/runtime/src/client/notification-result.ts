/**
 * A provider notification that passed the contract. `verified` says whether a signature was
 * checked and matched; an unverified notification (a provider that signs none) must be
 * confirmed by a query before it is believed.
 */
export interface NotificationResult<T> {
  readonly data: T;
  readonly verified: boolean;
  readonly rawBody: string;
}
