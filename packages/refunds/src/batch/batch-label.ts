// The label of a batch run (`Refund.batch`): checked once here, for the facade's `refund` and
// for `refunds.batch`, before anything is reserved or sent.
import { invalid } from '../providers/adapter.js';

/** The longest batch label: it is a key people read in a console and type on a command line. */
export const MAX_BATCH_LABEL = 100;

/** Letters, digits and `._:-`, starting with a letter or digit: safe in a file name, a URL and a shell. */
const LABEL = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** `label` when it is a batch label refundkit accepts, else a `ValidationError` (field `batch`); undefined passes. */
export function batchLabel(label: unknown): string | undefined {
  if (label === undefined) return undefined;
  if (typeof label !== 'string' || !LABEL.test(label)) throw invalid('batch', 'pattern', `must be letters, digits and . _ : - (starting with a letter or digit), not ${JSON.stringify(label)}; nothing was sent`);
  if (label.length > MAX_BATCH_LABEL) throw invalid('batch', `maxLength ${MAX_BATCH_LABEL}`, `must be at most ${MAX_BATCH_LABEL} characters, is ${label.length}; nothing was sent`);
  return label;
}
