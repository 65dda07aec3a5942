export { createRefunds, type Refunds, type RefundsOptions, type RefundInput, type WaitOptions, type NotificationInput, type NotificationHandled } from './refunds.js';
export { PROVIDERS, FINAL_STATUSES, type ProviderKey, type Refund, type RefundKey, type RefundStatus, type RefundFailure } from './model.js';
export { OverRefundError, ConflictError, NotFoundError } from './errors.js';
export type { RefundLedger, Reservation, ReservationRequest, RefundUpdate } from './ledger/ledger.js';
export { MemoryLedger } from './ledger/memory-ledger.js';
export type { RefundItem, RefundRequest, ProviderAnswer, NotificationAck } from './providers/adapter.js';
export { statusOf, type StatusTable } from './providers/status-table.js';
export { ADAPTERS, type ProviderConfigs, type ProviderOptions, type ConfiguredProvider } from './providers/index.js';
export { TIPAY_STATUS, type TipayConfig, type TipayOptions } from './providers/tipay.js';
