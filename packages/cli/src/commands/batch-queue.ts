import type { Io } from '../io.js';
import type { BatchArgs, BatchControl } from './batch.js';

export async function queueBatchCommand(_args: BatchArgs, _io: Io, _control: BatchControl): Promise<number> {
  throw new Error('not yet');
}
