// Connection strings carry passwords: everything refundkit says about a PostgreSQL ledger (the
// CLI's "which ledger" line, error messages, --json output) goes through `redactConnectionString`.
import { LedgerConnectionStringError } from './ledger-errors.js';

/** True for a `postgres://` or `postgresql://` URL: the CLI's `--ledger` is then a database, not a file. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(value.trim());
}

/**
 * The connection string with its password (in the user-info part or a `password` parameter)
 * replaced by `***`; a string that is not a URL has any `password=…` setting replaced the same
 * way. What it keeps (user, host, port, database) is what an operator needs to know which
 * ledger is meant.
 *
 * @example
 * redactConnectionString('postgres://app:s3cret@db.internal:5432/shop') // 'postgres://app:***@db.internal:5432/shop'
 */
export function redactConnectionString(connectionString: string): string {
  let url: URL;
  try {
    if (misread(connectionString)) throw new TypeError('misread');
    url = new URL(connectionString);
  } catch {
    // A libpq key/value string ("host=db password=x"), something unparseable, or a URL whose
    // password the parser would cut short. Up to the last `@`: such a password may itself hold
    // `@` (and `#`, `/`, `?`), none of it shown.
    return connectionString.replace(/(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)/gi, '$1***').replace(/(:\/\/[^:/@]*:).*@/, '$1***@');
  }
  if (url.password) url.password = '***';
  for (const key of [...url.searchParams.keys()]) if (key.toLowerCase() === 'password') url.searchParams.set(key, '***');
  return url.toString().replace(/\*\*\*|%2A%2A%2A/g, '***');
}

/** `message` with every occurrence of `secret` (when non-empty) replaced by `***`. */
export function withoutSecret(message: string, secret: string | undefined): string {
  return secret ? message.split(secret).join('***') : message;
}

/**
 * The password a connection string carries (its user-info part, or a `password` parameter or
 * setting), decoded, to keep out of messages; undefined when it has none. Reads unparseable
 * strings too, the way `redactConnectionString` does.
 */
export function passwordOf(connectionString: string): string | undefined {
  try {
    if (misread(connectionString)) throw new TypeError('misread');
    const url = new URL(connectionString);
    const password = url.password ? safeDecode(url.password) : [...url.searchParams].find(([key]) => key.toLowerCase() === 'password')?.[1];
    return password || undefined;
  } catch {
    return /password\s*=\s*'?([^'\s&]+)/i.exec(connectionString)?.[1] ?? /:\/\/[^:/@]*:(.*)@/.exec(connectionString)?.[1];
  }
}

const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/**
 * What `sslmode` means with refundkit (node-postgres 8's own reading, which refundkit keeps):
 * `disable` no TLS; `no-verify` TLS without checking the server's certificate (what libpq calls
 * `require`); `prefer`, `require`, `verify-ca`, `verify-full` (and `allow`) TLS with the server's
 * certificate checked against the trusted CAs (`sslrootcert=FILE`, else Node's) and its name
 * against the host: stricter than libpq, with no fall back to plain text. With
 * `uselibpqcompat=true` pg reads them as libpq does, and refundkit passes them on untouched.
 */
export const SSL_MODES: Readonly<Record<string, string>> = {
  disable: 'no TLS',
  'no-verify': 'TLS, the server\'s certificate not checked (libpq\'s require)',
  allow: 'TLS, certificate and host name verified (as verify-full)',
  prefer: 'TLS, certificate and host name verified (as verify-full)',
  require: 'TLS, certificate and host name verified (as verify-full)',
  'verify-ca': 'TLS, certificate and host name verified (as verify-full)',
  'verify-full': 'TLS, certificate and host name verified',
};

/** The modes pg 8 treats as `verify-full` while printing a multi-line warning on every process's first use. */
const VERIFY_FULL_ALIASES = new Set(['allow', 'prefer', 'require', 'verify-ca']);

/**
 * `value` checked as a PostgreSQL connection string and made ready for pg: refused with a
 * {@link LedgerConnectionStringError} naming `option` (never the password) when it is not a
 * `postgres://` or `postgresql://` URL pg can parse (a socket folder or `socket:` URL passes as
 * it is), or names an `sslmode` refundkit does not know
 * (see {@link SSL_MODES}); an `sslmode` pg 8 treats as `verify-full` is written as `verify-full`,
 * which connects exactly as pg would, without pg's multi-line warning on the user's terminal.
 *
 * @example
 * checkConnectionString('postgres://app:pa#ss@db/shop', '--ledger')
 * // LedgerConnectionStringError: --ledger postgres://app:***@db/shop is not a URL pg can read: percent-encode #, /, ?, @ and % in the user name, password and parameters (# as %23, / as %2F, ? as %3F, @ as %40, % as %25); nothing was recorded
 * checkConnectionString('postgres://app@db/shop?sslmode=require') // 'postgres://app@db/shop?sslmode=verify-full'
 */
export function checkConnectionString(value: string, option = 'connectionString'): string {
  // pg's other forms, a socket folder (`/var/run/postgresql shop`) and `socket:` URLs, go to pg as they are.
  if (value.startsWith('/') || /^socket:/i.test(value)) return value;
  const shown = withoutSecret(redactConnectionString(value), passwordOf(value));
  if (!isPostgresUrl(value)) {
    throw new LedgerConnectionStringError(`${option} ${shown} is not a PostgreSQL URL: write postgres://user:password@host:5432/database; nothing was recorded`, option);
  }
  let url: URL;
  try {
    // A URL that parses but cuts a password short (`app:p@ss#1@db`: host `ss`) is refused too: pg would connect elsewhere.
    if (misread(value)) throw new TypeError('misread');
    url = parseAsPg(value.trim());
  } catch {
    throw new LedgerConnectionStringError(
      `${option} ${shown} is not a URL pg can read: percent-encode #, /, ?, @ and % in the user name, password and parameters (# as %23, / as %2F, ? as %3F, @ as %40, % as %25); nothing was recorded`,
      option,
    );
  }
  const modes = url.searchParams.getAll('sslmode');
  if (modes.length === 0 || url.searchParams.get('uselibpqcompat') === 'true') return value;
  const unknown = modes.find((mode) => !Object.hasOwn(SSL_MODES, mode));
  if (unknown !== undefined || modes.length > 1) {
    throw new LedgerConnectionStringError(`${option} ${shown}: sslmode must be given once, one of ${Object.keys(SSL_MODES).join(', ')}; nothing was recorded`, option);
  }
  if (!VERIFY_FULL_ALIASES.has(modes[0]!)) return value;
  // Only the parameter's text changes: the rest of the string (its encoding included) is the user's.
  return value.replace(/([?&]sslmode=)[^&#]*/, '$1verify-full');
}

/**
 * True when a URL parser would read part of the user name or password as the host, path, query
 * or fragment: a `#` anywhere (pg ignores fragments, so it can only be a character meant
 * literally), or an `@` after the authority ends (at the first `/`, `?` or `#` after `://`).
 */
function misread(value: string): boolean {
  if (value.includes('#')) return true;
  const start = value.indexOf('://');
  if (start < 0) return false;
  const rest = value.slice(start + 3);
  const end = rest.search(/[/?#]/);
  return end >= 0 && rest.indexOf('@', end) >= 0;
}

/** The URL as pg-connection-string 2 reads it (spaces and stray `%` encoded first; `@/`: a host given as a parameter). */
function parseAsPg(value: string): URL {
  const text = / |%[^a-f0-9]|%[a-f0-9][^a-f0-9]/i.test(value) ? encodeURI(value).replace(/%25(\d\d)/g, '%$1') : value;
  try {
    return new URL(text);
  } catch {
    return new URL(text.replace('@/', '@___DUMMY___/'));
  }
}
