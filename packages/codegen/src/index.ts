export { generateProvider } from './generate.js';
export { findRepoRoot } from './repo-root.js';
export { compileValidatorModule, type ValidatorSource } from './ajv/emit-validators.js';
export { generatedHeader, GENERATOR } from './emit/header.js';
export { packageFiles, type PackageDescription } from './emit/package-files.js';
export { writeFileSet, type FileSet } from './emit/write-files.js';
export { readMessages, type Message } from './openapi/messages.js';
export { componentsToDefs } from './openapi/json-schema-defs.js';
