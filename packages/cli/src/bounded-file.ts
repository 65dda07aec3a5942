import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

/** Config and message files are a few KB; 1 MiB is far above any real one. */
export const MAX_INPUT_FILE_BYTES = 1024 * 1024;

/** Why a file was not read (the caller turns it into its own typed error). */
export class UnreadableFileError extends Error {
  override readonly name = 'UnreadableFileError';
}

/**
 * Reads a regular file of at most `limit` bytes. The path is checked with `stat` before it is
 * opened, so a device (`/dev/zero`, `/dev/stdin`), a FIFO (whose `open` would block) or a
 * directory is never read; the open descriptor is checked again (the file may have been swapped
 * in between) and at most `limit + 1` bytes are read, so a file that grows meanwhile is still
 * refused rather than read whole.
 */
export function readBoundedFile(path: string, limit = MAX_INPUT_FILE_BYTES): Buffer {
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    throw new UnreadableFileError((error as NodeJS.ErrnoException).code ?? 'unreadable');
  }
  if (!stats.isFile()) throw new UnreadableFileError('not a regular file');
  if (stats.size > limit) throw new UnreadableFileError(`larger than ${limit} bytes`);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new UnreadableFileError((error as NodeJS.ErrnoException).code ?? 'unreadable');
  }
  try {
    if (!fstatSync(fd).isFile()) throw new UnreadableFileError('not a regular file');
    const buffer = Buffer.alloc(limit + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > limit) throw new UnreadableFileError(`larger than ${limit} bytes`);
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}
