/** The `maxAnswerBytes` member of every generated client's options (JSON and XML alike). */
export const MAX_ANSWER_BYTES_OPTION: readonly string[] = [
  '  /**',
  '   * The largest answer read, in bytes after gzip/deflate decoding, error bodies included. Past it',
  '   * the exchange fails with `AnswerTooLargeError` (the request was sent: the outcome is unknown).',
  '   * Default 1 MiB (`DEFAULT_MAX_ANSWER_BYTES`), hundreds of times any real answer.',
  '   */',
  '  readonly maxAnswerBytes?: number;',
];
