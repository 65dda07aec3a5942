import { ANSWER_EXCERPT_BYTES, AnswerTooLargeError } from '../errors/transport-error.js';

/**
 * Reads a response body as a stream, never holding more than `maxBytes` of it (bytes as the
 * stream yields them, i.e. after undici's gzip/deflate decoding). One byte past the cap, the
 * stream is cancelled, which makes undici close the socket (so it does not keep feeding an
 * inflater nobody reads; checked by the transport tests), and an {@link AnswerTooLargeError} is thrown carrying only the first
 * {@link ANSWER_EXCERPT_BYTES} bytes, decoded by `decodeExcerpt`.
 */
export async function readCappedBody(
  response: Response,
  maxBytes: number,
  decodeExcerpt: (bytes: Uint8Array) => string,
): Promise<Uint8Array> {
  const stream = response.body;
  if (stream === null) {
    // A test's Response-like without a stream: its body is already in memory, but the cap still holds.
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.byteLength > maxBytes) throw new AnswerTooLargeError(maxBytes, response.status, decodeExcerpt(bytes.subarray(0, ANSWER_EXCERPT_BYTES)));
    return bytes;
  }
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
      if (total > maxBytes) {
        const excerpt = decodeExcerpt(concat(chunks, Math.min(total, ANSWER_EXCERPT_BYTES)));
        chunks.length = 0;
        // Not awaited: cancelling one branch of a tee'd stream (a cloned Response, e.g. from a
        // caller's fetch) settles only when the other branch is cancelled too.
        void reader.cancel().catch(() => undefined);
        throw new AnswerTooLargeError(maxBytes, response.status, excerpt);
      }
    }
  } finally {
    reader.releaseLock();
  }
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : concat(chunks, total);
}

/** The first `length` bytes of the chunks, in one array. */
function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    if (offset >= length) break;
    const part = chunk.subarray(0, length - offset);
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
