import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileSet, type FileSet } from './emit/write-files.js';
import { generateOpenApiPackage } from './openapi/generate-openapi.js';
import { generateXsdPackage } from './xsd/generate-xsd.js';

/**
 * The package generated from `specs/<provider>/`: an OpenAPI contract (`openapi.yaml`) or, for
 * XML providers, XML Schemas (`*.xsd`). Nothing is written (drift checks compare it to disk).
 */
export async function renderProvider(root: string, provider: string): Promise<FileSet> {
  if (!/^[a-z][a-z0-9]*$/.test(provider)) throw new Error(`provider key ${JSON.stringify(provider)} must be lowercase letters and digits`);
  const specDir = join(root, 'specs', provider);
  if (!existsSync(specDir)) throw new Error(`no spec folder specs/${provider}`);
  if (existsSync(join(specDir, 'openapi.yaml'))) {
    return generateOpenApiPackage(provider, join(specDir, 'openapi.yaml'), `specs/${provider}/openapi.yaml`);
  }
  if (readdirSync(specDir).some((f) => f.endsWith('.xsd'))) return generateXsdPackage(provider, specDir, `specs/${provider}`);
  throw new Error(`specs/${provider} has neither openapi.yaml nor *.xsd`);
}

/** Writes `generated/<provider>/` (see {@link renderProvider}), touching only changed files. */
export async function generateProvider(root: string, provider: string): Promise<{ written: string[]; removed: string[] }> {
  return writeFileSet(join(root, 'generated', provider), await renderProvider(root, provider));
}
