// Structured JSON logs (pino: fast, well kept, the de-facto Node JSON logger). refundkit's own
// log lines never carry a secret, a body or a signature; the redaction paths below are a second
// fence for whatever a merchant's own code adds to a line.
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import type { RefundsLogger } from '@refundkit/refunds';

/** Field names that may hold a secret, wherever a caller puts them (explicit paths: pino's wildcards cost far more per line). */
const SECRET_FIELDS = ['appKey', 'secretCode', 'privateKey', 'privateKeyPem', 'password', 'authorization', 'signature', 'rawBody', 'body'];
export const REDACT_PATHS = [...SECRET_FIELDS, ...SECRET_FIELDS.map((field) => `details.${field}`), 'headers.authorization', 'headers["ti-signature"]', 'req.headers.authorization'];

export interface LoggerOptions {
  /** `trace`, `debug`, `info` (default), `warn`, `error`, `fatal` or `silent`. */
  readonly level?: LevelWithSilent | undefined;
  /** Where lines go; default standard output. */
  readonly destination?: DestinationStream | undefined;
}

/** A pino logger writing one JSON object per line, with `service: "refundkit"` and the secret fields redacted. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'refundkit' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** The facade's logger (`createRefunds({ logger })`) writing through pino: `(message, details)` becomes `{ msg, ...details }`. */
export function refundsLogger(logger: Logger): RefundsLogger {
  return {
    debug: (message, details) => logger.debug(details ?? {}, message),
    info: (message, details) => logger.info(details ?? {}, message),
    warn: (message, details) => logger.warn(details ?? {}, message),
    error: (message, details) => logger.error(details ?? {}, message),
  };
}
