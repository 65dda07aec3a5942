/**
 * The one list of suites CI runs on the primary Node line only (scripts/node-lines.txt); read by
 * vitest.config.ts when REFUNDKIT_NODE_LINE_ROLE=secondary. They test the ledger's logic under
 * load — crashes, stalls, database faults, concurrency, properties over many runs — through the
 * same Node APIs the suites every line runs already use (child processes, HTTP, pg,
 * better-sqlite3), so running them again per line costs minutes and proves nothing new about the
 * line. Package tests, contracts, clients, docs, hostile answers and the CLI run on every line.
 */
export const PRIMARY_LINE_ONLY = ['truth/**', 'reliability/**'];
