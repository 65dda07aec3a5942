import type { FileSet } from '../emit/write-files.js';

export async function generateXsdPackage(provider: string, _specDir: string, _specRoot: string): Promise<FileSet> {
  throw new Error(`XSD generation for ${provider} is not written yet`);
}
