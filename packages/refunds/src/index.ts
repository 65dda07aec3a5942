export { createRefunds, LEASE_MARGIN_MS, type Refunds, type RefundsOptions, type CallOptions, type RefundCallOptions, type WaitOptions, type NotificationInput, type NotificationHandled, type NotificationOptions, type NotifyingProvider } from './refunds.js';
export type { RefundInput, RefundInputs, RefundCurrency, RefundFields, TipayRefundInput, EasypayRefundInput, EftpayRefundInput, LiankeRefundInput, YimaRefundInput } from './refund-input.js';
export type { TipayCurrency, EasypayCurrency, EftpayCurrency, LiankeCurrency, YimaCurrency, CurrencyOfProvider } from './currencies.js';
export { AbortedError, type RequestEvent, type ResponseEvent, type RefundsLogger, type ProviderOperation } from './call-context.js';
export { FAILURE_CODES, failureSourceOf, type FailureCodeInfo, type FailureInput } from './failure.js';
export type { ConfigIssue, ConfigRules, SettingRule, SettingKind } from './config/config-rules.js';
export { DEFAULT_ACCOUNT, type AccountsBlock, type ProviderBlock, type SingleAccount } from './facade/accounts.js';
export {
  PROVIDERS,
  FINAL_STATUSES,
  RAW_EXCERPT_LIMIT,
  type ProviderKey,
  type Refund,
  type RefundKey,
  type RefundStatus,
  type RefundFailure,
  type FailureSource,
  type Lease,
  type RefundEvent,
  type AnswerSource,
} from './model.js';
export { OverRefundError, ConflictError, NotFoundError, ConfigError, OutcomeNotRecordedError, NotificationBodyError, UnknownAccountError, type UnrecordedAnswer } from './errors.js';
export type { NotificationOutcomeKind } from './notifications/notification-types.js';
export { DEFAULT_NOTIFICATION_QUERY_LIMIT, type NotificationQueryLimit } from './notifications/query-budget.js';
// The error family a caller meets through the facade, so nobody imports a transitive dependency.
export { RefundkitError, ValidationError, ResponseError, SignatureError, TransportError, TimeoutError, ConnectionError, HttpStatusError, AnswerTooLargeError, AmountError, type ValidationIssue } from '@refundkit/runtime';
export type { BatchesQuery, BatchSummary, BatchStatusCount } from './ledger/batches.js';
export { batchLabel, MAX_BATCH_LABEL } from './batch/batch-label.js';
export { BatchInvalidError, type BatchProblem } from './batch/batch-invalid-error.js';
export type { RefundsBatch } from './batch/batch-api.js';
export {
  DEFAULT_LANE_LIMIT,
  DEFAULT_BATCH_CONCURRENCY,
  type BatchRow,
  type BatchOptions,
  type BatchResult,
  type BatchRowResult,
  type BatchCounts,
  type BatchProgress,
  type LaneLimit,
  type LaneProgress,
  type PlannedRow,
  type RowPlan,
} from './batch/batch-types.js';
export type { RefundLedger, Reservation, ReservationRequest, RefundUpdate, RefundIdentity, OrderIdentity, RefundTotal, LedgerHealth } from './ledger/ledger.js';
export { planReservation, planUpdate, isCurrent, excerpt, type OrderState, type ReservationPlan, type UpdatePlan } from './ledger/ledger-rules.js';
export { MemoryLedger } from './ledger/memory-ledger.js';
export { openSqliteLedger, defaultLedgerPath, LEDGER_SCHEMA_VERSION, SqliteUnavailableError, type SqliteLedger, type SqliteLedgerOptions } from './ledger/sqlite-ledger.js';
export type { RefundItem, RefundRequest, ProviderAnswer, NotificationAck, NotificationEcho, PreparedRefund, EchoedField } from './providers/adapter.js';
export { AnswerMismatchError } from './providers/adapter.js';
export { statusOf, type StatusTable } from './providers/status-table.js';
export { ADAPTERS, type ProviderEntry, type ProviderConfigs, type ProviderOptions, type ConfiguredProvider } from './providers/index.js';
export { TIPAY_STATUS, mapTipayAnswer, type TipayConfig, type TipayOptions } from './providers/tipay.js';
export {
  EASYPAY_STATUS,
  EASYPAY_ACCEPTED,
  EASYPAY_UNCERTAIN_CODES,
  EASYPAY_UNCERTAIN_PREFIXES,
  EASYPAY_NOTIFICATION_ACK,
  EASYPAY_NOTIFICATION_REJECT,
  easypayCodeIsUncertain,
  mapEasypayAnswer,
  type EasypayConfig,
  type EasypayOptions,
  type EasypayPrivateKeySource,
  type EasypayPublicKeySource,
  type EasypayPublicKeyEntry,
} from './providers/easypay.js';
export {
  EFTPAY_STATUS,
  EFTPAY_RECEIVED,
  EFTPAY_WALLETS,
  EFTPAY_PAYMENT_TYPES,
  EFTPAY_MAX_AMOUNT,
  mapEftpayAnswer,
  type EftpayConfig,
  type EftpayOptions,
  type EftpayPaymentType,
  type EftpayBuyerType,
} from './providers/eftpay.js';
export { LIANKE_STATUS, LIANKE_ACCEPTED, LIANKE_MAX_AMOUNT, mapLiankeAnswer, type LiankeConfig, type LiankeOptions } from './providers/lianke.js';
export { YIMA_STATUS, YIMA_UNLISTED_STATUS, YIMA_REFUSED_CODES, YIMA_MAX_AMOUNT, yimaStatusOf, mapYimaAnswer, type YimaConfig, type YimaOptions } from './providers/yima.js';
export { openPostgresLedger, migratePostgresLedger, type PostgresLedger, type PostgresLedgerOptions, type PostgresTarget, type MigrationReport } from './ledger/postgres-ledger.js';
export { POSTGRES_LEDGER_SCHEMA_VERSION, DEFAULT_POSTGRES_SCHEMA } from './ledger/postgres-schema.js';
export { PostgresUnavailableError, type PostgresPool, type PostgresQueryable } from './ledger/postgres-driver.js';
export { LedgerUnavailableError, LedgerSchemaError, LedgerRefusedError, LedgerConnectionStringError, type LedgerRefusal } from './ledger/ledger-errors.js';
export { redactConnectionString, isPostgresUrl, checkConnectionString, SSL_MODES } from './ledger/connection-string.js';
export { createNotificationHandler, toNodeHandler, errorToHttp, DEFAULT_MAX_NOTIFICATION_BYTES, type FetchHandler, type HandledNotification, type NotificationHandlerOptions, type NotificationReceiver, type NodeRequestListener, type HttpError, type HttpErrorBody, type HttpErrorStatus } from './http/index.js';
// The change feed, unmatched notifications, the reconciler (docs/changes-and-reconciling.md).
export { followChanges, type FollowOptions, type ChangeFeed } from './changes/follow.js';
export type { ChangesOptions } from './changes/read-changes.js';
export type { RefundChange, ChangeSource, ChangeEntry, ChangesQuery, AccountFilter } from './changes/change.js';
export type { RefundsLedgerOperations } from './facade/ledger-operations.js';
export { DEFAULT_IN_FLIGHT_WAIT_MS } from './facade/options.js';
export type { RecordedUpdate } from './ledger/ledger.js';
export { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, type RefundListFilter, type RefundPage, type ListQuery, type ListPosition } from './ledger/list-query.js';
export { planClaim, isDue, checkDelayMs, type ClaimPlan } from './ledger/ledger-rules.js';
export type { Claim, ClaimRequest, CheckBackoff, CheckSchedule, DueQuery } from './reconciler/claim.js';
export { DEFAULT_BACKOFF, DEFAULT_OLDER_THAN_MS, type ReconcileOptions, type ReconcileSummary } from './reconciler/reconcile.js';
export { startReconciler, type Reconciler, type ReconcilerOptions, type Reconcilable } from './reconciler/start.js';
export { UNMATCHED_EXCERPT_LIMIT, type UnmatchedNotification, type UnmatchedNotificationInput } from './notifications/unmatched-types.js';
