import { resolve } from 'node:path';
import { ValidationError } from '@refundkit/runtime';
import { readBoundedFile, UnreadableFileError } from '../bounded-file.js';
import { EXIT, UsageError, type Io } from '../io.js';
import { isProviderKey } from '@refundkit/registry';
import { loadProviderPackage, PROVIDER_KEYS } from '../providers.js';
import { printable } from '../terminal-text.js';

export const VALIDATE_HELP = `refundkit validate --provider P --message NAME FILE

Checks a JSON or XML message against the provider's contract. NAME is one of the contract's
messages (refund.request, refund.response, queryRefund.request, ...; run without --message to
list them). XML (yima) is read as raw bytes in its declared encoding.
Exit 0 valid, 1 invalid (every failing field path is printed).
`;

/** `refundkit validate`: one message file against one contract message. */
export async function validateCommand(args: { provider?: string | undefined; message?: string | undefined; file?: string | undefined }, io: Io): Promise<number> {
  const { provider, message, file } = args;
  if (!isProviderKey(provider)) throw new UsageError(`--provider must be one of ${PROVIDER_KEYS.join(', ')}`);
  const pkg = await loadProviderPackage(provider);
  if (!message || !pkg.messageNames.includes(message)) {
    throw new UsageError(`--message must be one of the ${provider} contract's messages: ${pkg.messageNames.join(', ')}`);
  }
  if (!file) throw new UsageError('give the message FILE to validate');
  let bytes: Buffer;
  try {
    // A message is a few KB: a device, a FIFO or a huge file is refused before it is read.
    bytes = readBoundedFile(resolve(io.cwd ?? process.cwd(), file));
  } catch (error) {
    if (error instanceof UnreadableFileError) throw new UsageError(`cannot read ${file}: ${error.message}`);
    throw error;
  }
  try {
    if (/^\s*</.test(bytes.subarray(0, 64).toString('latin1'))) {
      if (!pkg.readMessage) throw new UsageError(`${provider} messages are JSON, ${file} looks like XML`);
      pkg.readMessage(message, bytes);
    } else {
      let value: unknown;
      try {
        value = JSON.parse(bytes.toString('utf8'));
      } catch {
        io.stdout.write(`${printable(file)}: not JSON\n`);
        return EXIT.input;
      }
      pkg.validateMessage(message, value);
    }
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    io.stdout.write(`${printable(file)}: invalid ${provider} ${message}\n`);
    // Paths and messages quote the file's own keys and values.
    for (const issue of error.issues) io.stdout.write(`  ${printable(issue.path || '(message)')}: ${printable(issue.rule)}: ${printable(issue.message)}\n`);
    return EXIT.input;
  }
  io.stdout.write(`${printable(file)}: valid ${provider} ${message}\n`);
  return EXIT.ok;
}
