import { readFileSync } from 'node:fs';

/**
 * The XML codec engine's source: `src/xsd/runtime/xml-codec.ts` of this package, a real module
 * (codegen's `tsconfig.json` type-checks it; `tsconfig.build.json` leaves it out of `dist`, since
 * it is copied, never imported). It is the same for every XML provider, generic over per-message
 * descriptors (emitted from the XSDs into `src/codec.ts`), so the generator copies its text
 * under the generated header into the package's `src/xml-codec.ts`.
 *
 * The URL is the same from the source (`src/xsd/`, under vitest) and from the build
 * (`dist/xsd/`): both are two folders below the package root.
 */
export const CODEC_ENGINE_FILE = new URL('../../src/xsd/runtime/xml-codec.ts', import.meta.url);

/** The text of the codec engine, as the generated `src/xml-codec.ts` carries it below its header. */
export function codecEngineSource(): string {
  return readFileSync(CODEC_ENGINE_FILE, 'utf8');
}
