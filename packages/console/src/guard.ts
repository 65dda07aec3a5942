/**
 * Who may use the console. It shows refunds and drives the sandbox, so a web page the developer
 * happens to visit must never reach it through their browser, and nobody on the network may use
 * it without the token.
 *
 * - **Bind and token.** On a loopback address the console needs no token (only this machine can
 *   connect); on any other address it needs one (`--console-token`, `REFUNDKIT_CONSOLE_TOKEN`)
 *   and refuses every request while none is configured. With a token, a request must carry it:
 *   the `refundkit_console` cookie (set by opening `/console/?token=…` once) or
 *   `Authorization: Bearer …`.
 * - **Host (DNS rebinding).** A page on `evil.example` whose name is re-pointed at 127.0.0.1
 *   reaches the console under `Host: evil.example`: only loopback names, IP literals (which no
 *   DNS answer can rebind) and the names the operator lists are accepted, with the console's port.
 * - **Origin.** A request that carries `Origin` must come from the console's own origin.
 * - **Actions.** Every change is a POST with `Content-Type: application/json` (which a page on
 *   another site cannot send without a CORS preflight, never granted) and the CSRF value of the
 *   page (`x-refundkit-csrf`), which only a page of the console's own origin can read.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** The cookie a browser keeps the token in (HttpOnly, SameSite=Strict, path /console). */
export const TOKEN_COOKIE = 'refundkit_console';
/** The header an action carries the page's CSRF value in. */
export const CSRF_HEADER = 'x-refundkit-csrf';

export interface GuardConfig {
  /** The address the server listens on (as given to listen: `127.0.0.1`, `0.0.0.0`, a name). */
  readonly bindHost: string;
  /** The token; required when `bindHost` is not loopback. */
  readonly token?: string | undefined;
  /** Host names (without port) besides loopback names and IP literals that may address the console. */
  readonly allowedHostNames?: readonly string[] | undefined;
  /** The page's CSRF value (random per process). */
  readonly csrf: string;
}

/** What a guard sees of a request: method and headers (lowercase names). */
export interface GuardRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The port the connection arrived on. */
  readonly port: number;
}

export interface Refusal {
  readonly status: 401 | 403 | 415;
  readonly code: 'console_token_required' | 'console_token_missing' | 'console_host_refused' | 'console_origin_refused' | 'console_csrf_refused' | 'console_media_type';
  readonly message: string;
}

/** Whether `host` (as given to listen) is a loopback address or name. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare === '::1' || (isIP(bare) === 4 && bare.startsWith('127.'));
}

const header = (req: GuardRequest, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The host name and port of a `Host` header, or undefined when it is not one. */
function parseHost(value: string): { name: string; port: number | undefined } | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(value.trim());
  if (!match) return undefined;
  return { name: match[1]!.toLowerCase(), port: match[2] === undefined ? undefined : Number(match[2]) };
}

/** Whether `Host` names the console: the right port, and a loopback name, an IP literal or a listed name. */
export function hostAllowed(value: string | undefined, port: number, allowedHostNames: readonly string[] = []): boolean {
  if (value === undefined) return false;
  const host = parseHost(value);
  if (host === undefined || (host.port ?? 80) !== port) return false;
  const bare = host.name.replace(/^\[(.*)\]$/, '$1');
  return bare === 'localhost' || isIP(bare) !== 0 || allowedHostNames.some((n) => n.toLowerCase() === host.name);
}

/** Constant-time comparison of two secrets of any length (their digests are compared). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The token a request carries: its bearer token, else its console cookie. */
export function presentedToken(req: GuardRequest): string | undefined {
  const auth = header(req, 'authorization');
  if (auth !== undefined && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim();
  const cookies = header(req, 'cookie') ?? '';
  for (const part of cookies.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/**
 * Why this request is refused, or undefined. `queryToken` is a `?token=` on the request (the
 * link that opens the console, which then keeps it in the cookie).
 */
export function refuse(config: GuardConfig, req: GuardRequest, queryToken?: string): Refusal | undefined {
  if (!isLoopbackHost(config.bindHost) && (config.token === undefined || config.token === '')) {
    return {
      status: 403,
      code: 'console_token_required',
      message: `the console listens on ${config.bindHost}, beyond loopback: it needs a token (--console-token or REFUNDKIT_CONSOLE_TOKEN) and refuses every request without one`,
    };
  }
  if (!hostAllowed(header(req, 'host'), req.port, config.allowedHostNames)) {
    return {
      status: 403,
      code: 'console_host_refused',
      message: 'the console answers only requests addressed to it by a loopback name, an IP address or a configured host name (a re-pointed DNS name is refused)',
    };
  }
  const origin = header(req, 'origin');
  if (origin !== undefined && origin.toLowerCase() !== `http://${(header(req, 'host') ?? '').toLowerCase()}` && origin.toLowerCase() !== `https://${(header(req, 'host') ?? '').toLowerCase()}`) {
    return { status: 403, code: 'console_origin_refused', message: 'the console refuses requests from another origin' };
  }
  if (config.token !== undefined && config.token !== '') {
    const given = queryToken ?? presentedToken(req);
    if (given === undefined || !sameSecret(given, config.token)) {
      return { status: 401, code: 'console_token_missing', message: 'open the console with its token: /console/?token=<token> (or send Authorization: Bearer <token>)' };
    }
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const mediaType = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (mediaType !== 'application/json') return { status: 415, code: 'console_media_type', message: 'an action must be sent as Content-Type: application/json' };
    const csrf = header(req, CSRF_HEADER);
    if (csrf === undefined || !sameSecret(csrf, config.csrf)) {
      return { status: 403, code: 'console_csrf_refused', message: `an action must carry the page's ${CSRF_HEADER} value: reload the console` };
    }
  }
  return undefined;
}
