// openapi-typescript is an ES module (its `import` export): the default import is the function itself.
import openapiTS, { astToString } from 'openapi-typescript';
import { pathToFileURL } from 'node:url';

/**
 * TypeScript types for every path, webhook and component of the spec, by openapi-typescript
 * (`paths`, `webhooks`, `components`, `operations`). Read from the file, not a parsed object, so
 * relative `$ref`s (example files) resolve against the spec's folder.
 */
export async function emitTypes(specPath: string): Promise<string> {
  const ast = await openapiTS(pathToFileURL(specPath), { silent: true, alphabetize: false, defaultNonNullable: true });
  return astToString(ast);
}
