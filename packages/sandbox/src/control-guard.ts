/**
 * Who may use the control endpoint (`/__sandbox/…`): a test or script on this machine, never a
 * web page the developer happens to visit (issue 13, "Sandbox").
 *
 * A browser lets any page send a "simple" cross-origin POST (`text/plain`, no preflight), and a
 * page behind a DNS-rebinding name reaches `127.0.0.1` under its own host name. So a control
 * request must
 * - name the sandbox by a loopback name in `Host` — `127.0.0.1:<port>`, `localhost:<port>` or
 *   `[::1]:<port>` (plus the bound address itself when it is a specific IP, not a wildcard: an IP
 *   literal cannot be rebound) — else 403;
 * - when it carries `Origin` (browsers always do on a cross-origin POST), come from
 *   `http://` + one of those hosts — else 403;
 * - for POST, send `Content-Type: application/json` (a page cannot without a CORS preflight,
 *   which the sandbox never grants) — else 415.
 *
 * The provider endpoints are not guarded: they are the simulated providers, reached by clients
 * however they are configured.
 */
import { isIP } from 'node:net';
import { isLoopbackHost } from '@refundkit/runtime';
import type { IncomingMessage } from 'node:http';

export interface ControlRefusal {
  readonly status: 403 | 415;
  readonly reason: string;
}

/** Loopback names a control request may use, without the port. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'] as const;

/** Whether `host` (as given to listen) is a loopback address or name: the runtime's one check. */
export { isLoopbackHost };

/** The `Host` values a control request may carry, for a sandbox bound to `host` and `port`. */
export function allowedControlHosts(host: string, port: number): string[] {
  const names: string[] = [...LOOPBACK_NAMES];
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const wildcard = bare === '0.0.0.0' || bare === '::';
  if (!wildcard && isIP(bare) !== 0) names.push(isIP(bare) === 6 ? `[${bare}]` : bare);
  return [...new Set(names)].map((name) => `${name}:${port}`);
}

/** Why this control request is refused, or `undefined` when it may proceed. */
export function refuseControlRequest(req: IncomingMessage, allowedHosts: readonly string[]): ControlRefusal | undefined {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!allowedHosts.includes(host)) {
    return { status: 403, reason: `the control endpoint answers only requests addressed to ${allowedHosts.join(', ')}, not Host ${JSON.stringify(req.headers.host ?? '')}` };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedHosts.some((h) => origin.toLowerCase() === `http://${h}`)) {
    return { status: 403, reason: `the control endpoint refuses requests from Origin ${JSON.stringify(origin)}: only this machine's loopback origins may use it` };
  }
  if (req.method === 'POST') {
    const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (mediaType !== 'application/json') {
      return { status: 415, reason: `a POST to the control endpoint must be Content-Type: application/json, not ${JSON.stringify(req.headers['content-type'] ?? '')}` };
    }
  }
  return undefined;
}
