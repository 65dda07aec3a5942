/** Headers as a fetch `Headers` or as Node's `IncomingHttpHeaders` (values may be arrays). */
export type HeaderInput = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Normalises {@link HeaderInput} to a fetch `Headers` (repeated values joined with `, `). */
export function toHeaders(input: HeaderInput = {}): Headers {
  if (input instanceof Headers) return input;
  const headers = new Headers();
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue;
    headers.set(name, typeof value === 'string' ? value : value.join(', '));
  }
  return headers;
}
