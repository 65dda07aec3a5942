export { RefundkitError } from './refundkit-error.js';
export { ValidationError, type ValidationIssue } from './validation-error.js';
export { SignatureError } from './signature-error.js';
export { ResponseError } from './response-error.js';
export { TransportError, TimeoutError, ConnectionError, HttpStatusError } from './transport-error.js';
