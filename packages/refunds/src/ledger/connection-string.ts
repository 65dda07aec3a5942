// Connection strings carry passwords: everything refundkit says about a PostgreSQL ledger (the
// CLI's "which ledger" line, error messages, --json output) goes through `redactConnectionString`.

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
    url = new URL(connectionString);
  } catch {
    // A libpq key/value string ("host=db password=x") or something unparseable.
    return connectionString.replace(/(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)/gi, '$1***').replace(/(:\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
  if (url.password) url.password = '***';
  for (const key of [...url.searchParams.keys()]) if (key.toLowerCase() === 'password') url.searchParams.set(key, '***');
  return url.toString().replace(/\*\*\*|%2A%2A%2A/g, '***');
}

/** `message` with every occurrence of `secret` (when non-empty) replaced by `***`. */
export function withoutSecret(message: string, secret: string | undefined): string {
  return secret ? message.split(secret).join('***') : message;
}
