/**
 * yima requests are GBK XML (the document: 报文编码 GBK). Before a request is decoded — and so
 * before anything is committed — its bytes must be well-formed GBK in an encoding the document
 * allows: a decoder that replaced an invalid byte with U+FFFD would let the sandbox record a
 * refund under a number it then cannot echo (GBK has no U+FFFD), and answer 500 after the commit.
 *
 * The check uses the platform's `TextDecoder` in fatal mode (WHATWG Encoding, ICU in Node), which
 * throws on the first invalid sequence instead of replacing it: no hand-written GBK table.
 */

/** The XML declaration's encoding label, read from the ASCII prefix. */
const DECLARATION = /^<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/;

/** The labels of the document's encoding that a request may declare (all decoded as GBK). */
const GBK_LABELS = new Set(['gbk', 'gb2312', 'cp936', 'x-gbk']);

/** Why these bytes are not a GBK request, or `undefined` when they are. */
export function gbkProblem(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'the body starts with a UTF-8 byte order mark; requests are GBK';
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 200)).toString('latin1');
  const declared = DECLARATION.exec(head)?.[1];
  if (declared !== undefined && !GBK_LABELS.has(declared.toLowerCase())) {
    return `the XML declaration names encoding ${declared}; requests are GBK`;
  }
  try {
    new TextDecoder('gbk', { fatal: true }).decode(bytes);
    return undefined;
  } catch {
    return 'the body is not valid GBK (an invalid byte sequence)';
  }
}
