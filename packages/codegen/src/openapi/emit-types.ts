import openapiTSModule, { astToString } from 'openapi-typescript';
import { pathToFileURL } from 'node:url';

type OpenapiTS = typeof import('openapi-typescript').default;
const openapiTS = ((openapiTSModule as unknown as { default?: OpenapiTS }).default ?? openapiTSModule) as OpenapiTS;

/**
 * TypeScript types for every path, webhook and component of the spec, by openapi-typescript
 * (`paths`, `webhooks`, `components`, `operations`). Read from the file, not a parsed object, so
 * relative `$ref`s (example files) resolve against the spec's folder.
 */
export async function emitTypes(specPath: string): Promise<string> {
  const ast = await openapiTS(pathToFileURL(specPath), { silent: true, alphabetize: false, defaultNonNullable: true });
  return astToString(ast);
}
