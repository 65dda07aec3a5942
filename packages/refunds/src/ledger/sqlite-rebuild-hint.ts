import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The command that rebuilds better-sqlite3 for the Node running now. It names this Node's own
 * headers (`npm_config_nodedir`): a bare `npm rebuild better-sqlite3` builds against whatever
 * headers npm is configured with, and a `nodedir` in an .npmrc that names another Node's headers
 * (a distribution's Node 20 in /usr, say) "succeeds" and builds an addon that still does not load
 * (NODE_MODULE_VERSION 115 where Node 24 needs 137). A Node install's prefix (the folder above
 * `bin/node`) holds its headers in `include/node`; when it does not, the hint says what to point at.
 */
export function sqliteRebuildCommand(execPath: string = process.execPath, exists: (path: string) => boolean = existsSync): string {
  const prefix = dirname(dirname(execPath));
  const nodedir = exists(join(prefix, 'include', 'node', 'node.h')) ? prefix : `<the folder holding include/node of Node ${process.versions.node}>`;
  return `npm_config_nodedir=${nodedir} npm rebuild better-sqlite3`;
}
