import type { Io } from '../io.js';
export const WORKER_HELP = '';
export async function workerCommand(_args: Record<string, unknown>, _io: Io): Promise<number> {
  throw new Error('not yet');
}
