/**
 * What a piece of generated code imports, by module specifier, declared by the emitter that
 * writes that code (a scheme's setup needs `randomUUID` from `node:crypto`), so that imports
 * follow from what the generator knows, never from searching the text it emitted.
 */
export type ImportsByModule = Readonly<Record<string, readonly string[]>>;

/** One `import { … } from '…';` line per module, in declaration order, each name once. */
export function importLines(imports: ImportsByModule | undefined): string[] {
  return Object.entries(imports ?? {})
    .filter(([, names]) => names.length > 0)
    .map(([module, names]) => `import { ${[...new Set(names)].join(', ')} } from '${module}';`);
}
