import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileSet, type FileSet } from './emit/write-files.js';
import { generateOpenApiPackage } from './openapi/generate-openapi.js';

/**
 * Generates `generated/<provider>/` from `specs/<provider>/`: an OpenAPI contract
 * (`openapi.yaml`) or, for XML providers, XML Schemas (`*.xsd`).
 */
export async function generateProvider(root: string, provider: string): Promise<{ written: string[]; removed: string[] }> {
  if (!/^[a-z][a-z0-9]*$/.test(provider)) throw new Error(`provider key ${JSON.stringify(provider)} must be lowercase letters and digits`);
  const specDir = join(root, 'specs', provider);
  if (!existsSync(specDir)) throw new Error(`no spec folder specs/${provider}`);
  let files: FileSet;
  if (existsSync(join(specDir, 'openapi.yaml'))) {
    files = await generateOpenApiPackage(provider, join(specDir, 'openapi.yaml'), `specs/${provider}/openapi.yaml`);
  } else if (readdirSync(specDir).some((f) => f.endsWith('.xsd'))) {
    const { generateXsdPackage } = await import('./xsd/generate-xsd.js');
    files = await generateXsdPackage(provider, specDir, `specs/${provider}`);
  } else {
    throw new Error(`specs/${provider} has neither openapi.yaml nor *.xsd`);
  }
  return writeFileSet(join(root, 'generated', provider), files);
}
