/**
 * A response whose body has been read in full: the raw bytes stay available (signatures are
 * checked over them, GBK is decoded from them) and can be read any number of times. It has the
 * members openapi-fetch reads (`status`, `ok`, `headers`, `arrayBuffer()`, `text()`), so it is
 * handed to openapi-fetch in place of a `Response` without copying the body into a new one.
 */
export class BufferedResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  /** The body exactly as received. */
  readonly bytes: Uint8Array;

  constructor(status: number, statusText: string, headers: Headers, bytes: Uint8Array) {
    this.status = status;
    this.statusText = statusText;
    this.headers = headers;
    this.bytes = bytes;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  /** A copy of the body (the caller may detach or change it). */
  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.bytes.slice().buffer;
  }

  /** The body decoded as UTF-8. */
  async text(): Promise<string> {
    return new TextDecoder().decode(this.bytes);
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
}
