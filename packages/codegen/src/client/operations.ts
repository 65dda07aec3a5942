import type { OpenApiDocument } from '../openapi/load-spec.js';
import type { Message } from '../openapi/messages.js';

/** One typed client method: `refund`, `queryRefund`, ... */
export interface ClientOperation {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** What the caller passes: the unsigned payload when the signature sits in the body. */
  readonly inputMessage: string;
  /** What goes on the wire (signed). */
  readonly requestMessage: string;
  readonly responseMessage: string;
  /** Set for a body-signed request: the field the signer adds. */
  readonly signatureField?: string;
}

/** A webhook the client can verify: `verifyNotification`. */
export interface ClientNotification {
  readonly requestMessage: string;
  readonly responseMessage?: string;
  readonly signatureField?: string;
}

const METHODS = ['get', 'post'] as const;

/**
 * Each operation's route (OpenAPI `paths`, by `operationId`), or, where several operations share
 * one path and method (eftpay's `service` switch), the `x-refundkit-operations` map of the
 * operation that carries them.
 */
function routes(doc: OpenApiDocument): Map<string, { method: 'GET' | 'POST'; path: string }> {
  const found = new Map<string, { method: 'GET' | 'POST'; path: string }>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const operation = (item as Record<string, { operationId?: string; 'x-refundkit-operations'?: Record<string, unknown> } | undefined>)[method];
      if (!operation) continue;
      const route = { method: method.toUpperCase() as 'GET' | 'POST', path };
      if (operation.operationId) found.set(operation.operationId, route);
      for (const shared of Object.keys(operation['x-refundkit-operations'] ?? {})) found.set(shared, route);
    }
  }
  return found;
}

/**
 * The client's methods, read from the contract's messages: every `<op>.request` with an
 * `<op>.response` and a route is a method; the `refundNotification` webhook becomes
 * `verifyNotification`.
 */
export function clientOperations(doc: OpenApiDocument, messages: readonly Message[]): { operations: ClientOperation[]; notification?: ClientNotification } {
  const byName = new Map(messages.map((m) => [m.name, m]));
  const table = routes(doc);
  const operations: ClientOperation[] = [];
  let notification: ClientNotification | undefined;
  for (const message of messages) {
    const match = /^(\w+)\.request$/.exec(message.name);
    if (!match?.[1]) continue;
    const op = match[1];
    const response = byName.get(`${op}.response`);
    if (doc.webhooks && op in doc.webhooks) {
      notification = {
        requestMessage: message.name,
        ...(response ? { responseMessage: response.name } : {}),
        ...(message.signatureField ? { signatureField: message.signatureField } : {}),
      };
      continue;
    }
    const route = table.get(op);
    if (!route) throw new Error(`message ${message.name}: no path or x-refundkit-operations entry routes operation ${op}`);
    if (!response) throw new Error(`operation ${op} has a request message but no ${op}.response`);
    const unsigned = byName.get(`${message.name}.unsigned`);
    operations.push({
      name: op,
      ...route,
      inputMessage: unsigned ? unsigned.name : message.name,
      requestMessage: message.name,
      responseMessage: response.name,
      ...(message.signatureField ? { signatureField: message.signatureField } : {}),
    });
  }
  return notification ? { operations, notification } : { operations };
}
