/**
 * Where the sandbox serves each provider: the routes of its spec (the provider registry,
 * `REGISTRY.<key>.operations`), never restated here. A document that names no path (yima: the
 * merchant is given a full URL) is served at the path in {@link UNNAMED_PATHS}, the sandbox's own
 * choice.
 */
import { REGISTRY } from '@refundkit/registry';
import type { Route } from './providers/adapter.js';
import type { Operation, Provider } from './provider.js';

/** The sandbox's path for a provider whose document names none. */
export const UNNAMED_PATHS: Readonly<Partial<Record<Provider, string>>> = { yima: '/ipos' };

/** The path the sandbox serves `operation` of `provider` at. */
export function endpointPath(provider: Provider, operation: Operation): string {
  const route: { readonly path: string | null } = REGISTRY[provider].operations[operation];
  const path = route.path ?? UNNAMED_PATHS[provider];
  // A new provider without a path in its spec needs an entry in UNNAMED_PATHS (found at start).
  if (path === undefined) throw new Error(`${provider} ${operation}: the spec names no path and UNNAMED_PATHS has none`);
  return path;
}

/**
 * A provider's routes, one per method and path. Where several operations share one (eftpay: one
 * endpoint, the request's `service` tells refund from query) the route names no operation and the
 * handler tells them apart.
 */
export function routesOf(provider: Provider): Route[] {
  const byRoute = new Map<string, { method: 'GET' | 'POST'; path: string; operations: Operation[] }>();
  for (const operation of Object.keys(REGISTRY[provider].operations) as Operation[]) {
    const method = REGISTRY[provider].operations[operation].method as 'GET' | 'POST';
    const path = endpointPath(provider, operation);
    const entry = byRoute.get(`${method} ${path}`) ?? { method, path, operations: [] };
    entry.operations.push(operation);
    byRoute.set(`${method} ${path}`, entry);
  }
  return [...byRoute.values()].map(({ method, path, operations }) => (operations.length === 1 ? { method, path, operation: operations[0]! } : { method, path }));
}
