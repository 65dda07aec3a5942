/**
 * Reading a request's body exactly as sent (a signature covers the bytes) without letting a
 * sender make us hold more than `maxBytes`.
 */

/** The body's bytes, or why there are none. */
export type BoundedBody =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly reason: 'too_large' | 'unreadable' };

/**
 * Reads `request`'s body, at most `maxBytes` of it. A `Content-Length` over the bound is refused
 * before a byte is read; a body without one (chunked) is counted as it arrives and given up the
 * moment it passes the bound, so at most one chunk beyond it is ever held. Either way the body
 * is cancelled, which tells the server adapter it may drain or close the connection.
 */
export async function readBoundedBody(request: Request, maxBytes: number): Promise<BoundedBody> {
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared.trim()) > maxBytes) {
    await request.body?.cancel().catch(() => undefined);
    return { ok: false, reason: 'too_large' };
  }
  if (request.body === null) return { ok: true, bytes: new Uint8Array(0) };
  if (request.bodyUsed) return { ok: false, reason: 'unreadable' };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, reason: 'too_large' };
      }
      chunks.push(value);
    }
  } catch {
    // The sender went away mid-body, or the server's stream failed: nothing to verify.
    return { ok: false, reason: 'unreadable' };
  } finally {
    reader.releaseLock();
  }
  if (chunks.length === 1) return { ok: true, bytes: chunks[0]! };
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, bytes };
}
