export * from './errors/index.js';
export type { CompiledValidator, SchemaError } from './validation/compiled-validator.js';
export { schemaErrorsToIssues, pointerToPath } from './validation/issues.js';
export { assertValid } from './validation/assert-valid.js';
export { fetchWithDeadline, DEFAULT_TIMEOUT_MS, type FetchLike, type DeadlineOptions } from './transport/fetch-with-deadline.js';
