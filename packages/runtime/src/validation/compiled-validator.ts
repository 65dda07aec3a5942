/**
 * The shape of an ajv standalone validator, as `refundkit-codegen` emits them: a type guard that
 * leaves its failures on `.errors`. Declared here so runtime needs no ajv at run time.
 */
export interface CompiledValidator<T> {
  (data: unknown): data is T;
  errors?: readonly SchemaError[] | null;
}

/** One ajv error object (ajv's `ErrorObject`, the fields refundkit reads). */
export interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly message?: string;
}
