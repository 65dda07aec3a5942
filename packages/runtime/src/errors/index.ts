export { RefundkitError } from './refundkit-error.js';
export { ValidationError, type ValidationIssue } from './validation-error.js';
export { SignatureError } from './signature-error.js';
export { ResponseError, MAX_ANSWER_DEPTH, answerRejectionFor, type AnswerRejection } from './response-error.js';
export { TransportError, TimeoutError, ConnectionError, HttpStatusError, AnswerTooLargeError, ANSWER_EXCERPT_BYTES } from './transport-error.js';
