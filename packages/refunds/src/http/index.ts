/**
 * Receiving notifications over HTTP (issue 20): a Fetch-API handler for the providers' POSTs, its
 * `node:http` adapter, and the error → HTTP answer table merchants' own routes use too.
 */
export {
  createNotificationHandler,
  DEFAULT_MAX_NOTIFICATION_BYTES,
  type FetchHandler,
  type HandledNotification,
  type NotificationHandlerOptions,
  type NotificationReceiver,
} from './notification-handler.js';
export { toNodeHandler, type NodeRequestListener } from './node-handler.js';
export { errorToHttp, type HttpError, type HttpErrorBody, type HttpErrorStatus } from './error-to-http.js';
