/**
 * `@refundkit/sandbox`: local simulators of refundkit's five refund providers (EasyPay, eftPay,
 * Lianke, Ti-Pay, yima) on one HTTP port, behaving as their contracts in `specs/` say, with
 * fault injection, so refunds can be tested offline. See README.md.
 */
export {
  startSandbox,
  ENDPOINT_PATHS,
  type Sandbox,
  type SandboxOptions,
  type SandboxUrls,
} from './sandbox.js';
export { describeSandbox } from './describe.js';
export type { SandboxCredentials, EasypayCredentials, KeySource, CredentialOverrides } from './credentials.js';
export { DEFAULT_SEED, type SeedOrders } from './seed.js';
export {
  FAULTS,
  FAULT_NAMES,
  DEFAULT_SLOW_MS,
  MAX_FAULT_MS,
  FaultError,
  type FaultName,
  type FaultAction,
  type ArmFaultInput,
  type ArmedFault,
} from './faults.js';
export { FAULT_HEADER } from './server.js';
export type { DeliveryRecord, NotifierOptions } from './notifier.js';
export {
  NOTIFICATION_FAULTS,
  NOTIFICATION_FAULT_NAMES,
  NOTIFYING_PROVIDERS,
  OTHER_MERCHANT,
  DEFAULT_NOTIFICATION_DELAY_MS,
  NotificationFaultError,
  parseNotificationFault,
  type NotificationFaultName,
  type NotificationVariant,
  type ArmNotificationFaultInput,
  type ArmedNotificationFault,
} from './notification-faults.js';
export type { RequestRecord } from './request-log.js';
export type { Order, OrderInput, OrderStatus, RefundPhase, RefundRecord, RefundView } from './store.js';
export { PROVIDERS, type Provider, type Operation } from './provider.js';
export { SANDBOX_HANDLERS } from './providers/handlers.js';
export { UNNAMED_PATHS, endpointPath } from './routes.js';
export { EASYPAY_CODES } from './providers/easypay.js';
export { EFTPAY_CODES } from './providers/eftpay.js';
export { LIANKE_CODES } from './providers/lianke.js';
export { TIPAY_CODES } from './providers/tipay.js';
export { YIMA_CODES } from './providers/yima.js';
