// Whether an address a server listens on stays on this machine: the sandbox's control endpoints,
// the console and `refundkit serve` each relax their guards only for such an address.
import { isIP } from 'node:net';

/** Whether `host` (as given to listen: a name, an IPv4 or a bracketed or bare IPv6 address) is a loopback address or name. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare === '::1' || (isIP(bare) === 4 && bare.startsWith('127.'));
}
