import { PROVIDER_KEYS, REGISTRY } from '@refundkit/registry';
import type { RefundsLogger } from '../call-context.js';
import { ConfigError } from '../errors.js';
import type { NotificationInput, NotifyingProvider } from '../refunds.js';
import { readBoundedBody } from './bounded-body.js';
import { errorToHttp, httpError, type HttpError } from './error-to-http.js';

/** The default bound on a notification's body: a real one is well under 4 KiB. */
export const DEFAULT_MAX_NOTIFICATION_BYTES = 64 * 1024;

/** A Fetch-API request handler: what Hono, Bun, Deno, Cloudflare and `toNodeHandler` take. */
export type FetchHandler = (request: Request) => Promise<Response>;

/**
 * What the handler reads of `handleNotification`'s result. Declared here, structurally, so the
 * handler works with any facade that answers this shape: `outcome` and `changed` are read when
 * present (for the log), and the acknowledgement is answered as it is.
 */
export interface HandledNotification {
  readonly ack: { readonly status?: number | undefined; readonly contentType: string; readonly body: string };
  /** `applied`, `duplicate`, `refused`, `unmatched`, `deferred`, when the facade tells. */
  readonly outcome?: string | undefined;
  readonly changed?: boolean | undefined;
  readonly refund?: { readonly refundId: string; readonly status: string } | undefined;
}

/**
 * What the handler needs of the facade: `Refunds` (from `createRefunds`) is one. The third
 * argument carries the path's account segment (`/notify/<provider>/<account>`) when there is one.
 */
export interface NotificationReceiver {
  handleNotification(provider: NotifyingProvider, notification: NotificationInput, options?: { readonly account?: string }): Promise<HandledNotification>;
}

/** Options of {@link createNotificationHandler}. */
export interface NotificationHandlerOptions {
  /**
   * Where the notification routes live: `${basePath}/notify/<provider>`. Starts with `/`; default
   * `''`, i.e. `/notify/easypay` and `/notify/tipay`. The path is the request's full path (Express's
   * `originalUrl`), so a handler mounted under `/hooks` is created with `basePath: '/hooks'`.
   *
   * @example
   * basePath: '/webhooks'
   */
  readonly basePath?: string | undefined;
  /**
   * The largest body accepted, in bytes: a `Content-Length` over it is answered 413 before the
   * body is read, a streamed body is cut off (413) the moment it passes it. Default
   * {@link DEFAULT_MAX_NOTIFICATION_BYTES} (64 KiB).
   *
   * @example
   * maxBodyBytes: 16 * 1024
   */
  readonly maxBodyBytes?: number | undefined;
  /**
   * The merchant accounts served under `/notify/<provider>/<account>`, per provider (tipay
   * `merchantNo`, easypay `mchtCode`): a path naming another account is answered 404. The
   * account is handed to `handleNotification`. Default: none, so only `/notify/<provider>`.
   *
   * @example
   * accounts: { tipay: ['10012426723'] }
   */
  readonly accounts?: { readonly [K in NotifyingProvider]?: readonly string[] } | undefined;
  /**
   * Where the handler logs each notification (provider, account, outcome, HTTP status, refund id
   * and status; never a header or a body): refused and deferred ones at `warn`, failures at
   * `error`, requests that are not notifications (404, 405, 413) at `debug`, the rest at `info`.
   *
   * @example
   * logger: console
   */
  readonly logger?: RefundsLogger | undefined;
}

/** Providers whose contract has a notification message: the registry's word, not a list kept here. */
const NOTIFYING: ReadonlySet<string> = new Set(PROVIDER_KEYS.filter((key) => (REGISTRY[key].messages as readonly string[]).includes('refundNotification.request')));

const isNotifying = (segment: string): segment is NotifyingProvider => NOTIFYING.has(segment);

/** Outcomes the provider is told to retry (its rejection answer): logged as warnings. */
const RETRIED = new Set(['refused', 'deferred']);

/**
 * Receives providers' notifications over HTTP: a Fetch-API handler for
 * `POST ${basePath}/notify/<provider>` (and `/notify/<provider>/<account>`). It reads the raw body
 * itself (bounded by `maxBodyBytes`), hands it to `refunds.handleNotification`, and only once
 * that resolved — the ledger holds the result — answers exactly the acknowledgement the provider
 * documents (status, content type, body). A failure is answered as {@link errorToHttp} says: the
 * ledger down is 503, so the provider delivers again later; a malformed body 400; anything
 * unexpected 500 without details. A provider that sends no notifications, or a path that is no
 * notification route, is 404; another method than POST 405 (`Allow: POST`); a body over the bound 413.
 *
 * Mount it before any body parser: the signature covers the bytes as sent (see
 * docs/receiving-notifications.md for Express, Fastify and Hono).
 *
 * @example
 * const handler = createNotificationHandler(refunds, { logger: console });
 * createServer(toNodeHandler(handler)).listen(8080); // POST /notify/tipay, POST /notify/easypay
 */
export function createNotificationHandler(refunds: NotificationReceiver, options: NotificationHandlerOptions = {}): FetchHandler {
  const basePath = checkBasePath(options.basePath);
  const maxBodyBytes = checkMaxBodyBytes(options.maxBodyBytes);
  const accounts = options.accounts ?? {};
  const logger = options.logger;
  const prefix = `${basePath}/notify/`;

  return async function handleNotificationRequest(request: Request): Promise<Response> {
    const route = routeOf(pathOf(request.url), prefix);
    if (route === undefined || !isNotifying(route.provider)) {
      return refuse(httpError(404, 'not_found', `no notification route here: POST ${prefix}<provider>, for ${[...NOTIFYING].join(', ')}`), 'no such route', {});
    }
    const { provider, account } = route;
    const where = { provider, ...(account === undefined ? {} : { account }) };
    if (account !== undefined && !(accounts[provider] ?? []).includes(account)) {
      return refuse(httpError(404, 'not_found', `no ${provider} account of this name is served here`), 'unknown account', where);
    }
    if (request.method !== 'POST') {
      return refuse(httpError(405, 'method_not_allowed', 'notifications are POSTed'), 'method not allowed', where, { allow: 'POST' });
    }
    const body = await readBoundedBody(request, maxBodyBytes);
    if (!body.ok) {
      return body.reason === 'too_large'
        ? refuse(httpError(413, 'body_too_large', `a notification is at most ${maxBodyBytes} bytes`), 'body too large', where)
        : refuse(httpError(400, 'body_unreadable', 'the body could not be read'), 'body unreadable', where);
    }
    let handled: HandledNotification;
    try {
      const notification: NotificationInput = { headers: request.headers, rawBody: body.bytes };
      handled = await (account === undefined ? refunds.handleNotification(provider, notification) : refunds.handleNotification(provider, notification, { account }));
    } catch (error) {
      const answer = errorToHttp(error);
      const details = { ...where, status: answer.status, code: answer.body.error.code };
      if (answer.status >= 500) logger?.error('refundkit notification not handled', details);
      else logger?.warn('refundkit notification refused', details);
      return toResponse(answer);
    }
    const { ack, outcome, changed, refund } = handled;
    const status = ack.status ?? 200;
    if (logger) {
      const details = {
        ...where,
        status,
        ...(outcome === undefined ? {} : { outcome }),
        ...(changed === undefined ? {} : { changed }),
        ...(refund === undefined ? {} : { refundId: refund.refundId, refundStatus: refund.status }),
      };
      if (outcome !== undefined && RETRIED.has(outcome)) logger.warn('refundkit notification answered for a retry', details);
      else logger.info('refundkit notification handled', details);
    }
    return new Response(ack.body, { status, headers: { 'content-type': ack.contentType } });
  };

  function refuse(answer: HttpError, why: string, where: Record<string, string>, extra: Record<string, string> = {}): Response {
    logger?.debug(`refundkit notification request refused: ${why}`, { ...where, status: answer.status });
    return toResponse(answer, extra);
  }
}

function toResponse(answer: HttpError, extra: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { ...answer.headers, ...extra } });
}

/**
 * The path of a request's URL. `Request.url` is always absolute and already normalised by the
 * URL parser, so the path is what follows the authority, up to a query or fragment: read off the
 * string, which costs a fraction of parsing it again (one notification = one `Request`).
 */
function pathOf(url: string): string {
  const authority = url.indexOf('//');
  const start = url.indexOf('/', authority < 0 ? 0 : authority + 2);
  if (start < 0) return '/';
  let end = url.length;
  const query = url.indexOf('?', start);
  if (query >= 0) end = query;
  const fragment = url.indexOf('#', start);
  if (fragment >= 0 && fragment < end) end = fragment;
  return url.slice(start, end);
}

/** `<prefix><provider>[/<account>][/]`, segments percent-decoded; anything else is no route. */
function routeOf(path: string, prefix: string): { provider: string; account?: string } | undefined {
  if (!path.startsWith(prefix)) return undefined;
  const segments = path.slice(prefix.length).replace(/\/$/, '').split('/');
  if (segments.length > 2 || segments.some((s) => s === '')) return undefined;
  try {
    const [provider, account] = segments.map((s) => decodeURIComponent(s));
    return account === undefined ? { provider: provider! } : { provider: provider!, account };
  } catch {
    return undefined;
  }
}

function checkBasePath(basePath: string | undefined): string {
  if (basePath === undefined || basePath === '' || basePath === '/') return '';
  if (typeof basePath !== 'string' || !basePath.startsWith('/') || /[?#\s]/.test(basePath)) {
    throw new ConfigError(undefined, [{ path: 'notificationHandler.basePath', message: "must be a path starting with '/' (no query, fragment or spaces), e.g. '/webhooks'" }]);
  }
  return basePath.replace(/\/+$/, '');
}

function checkMaxBodyBytes(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_NOTIFICATION_BYTES;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ConfigError(undefined, [{ path: 'notificationHandler.maxBodyBytes', message: 'must be a positive whole number of bytes' }]);
  }
  return value;
}
