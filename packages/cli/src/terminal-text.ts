/**
 * Text from a provider (a `msg`, a failure message, an id it echoes) or from the user (an id, a
 * file name) is printed to a terminal. A control character in it could move the cursor, recolour
 * or erase lines, or reorder what is shown (bidi overrides): a provider `msg` carrying ANSI
 * escapes drew a fake "succeeded" line under a failed refund (issue 13). So every such text goes
 * through {@link printable} before it is printed, and `--json` output through {@link jsonLine}.
 */

/**
 * What is escaped: C0 controls (U+0000–U+001F, newline and tab included: a line break inside a
 * field would draw a line of its own), DEL (U+007F), C1 controls (U+0080–U+009F: U+009B is CSI
 * on some terminals), the line and paragraph separators (U+2028, U+2029), and the bidirectional
 * formatting characters: the embeddings and overrides U+202A–U+202E, the isolates U+2066–U+2069,
 * and the marks U+200E, U+200F, U+061C.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `\xHH` for a code point below U+0100, `\uHHHH` otherwise: visible, and unambiguous to a reader. */
function escapeOne(char: string): string {
  const code = char.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * The text with every control and bidi formatting character written as an escape, so it prints
 * as exactly one visible run of characters.
 *
 * @example
 * printable('refused\x1b[2K\r  status: succeeded') // 'refused\\x1b[2K\\x0d  status: succeeded'
 */
export function printable(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/**
 * One line of JSON for stdout. `JSON.stringify` escapes C0 controls but leaves DEL, C1 controls,
 * U+2028/U+2029 and the bidi characters raw; these are written as `\uHHHH` escapes too, which
 * any JSON parser reads back as the same string.
 */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value).replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}
