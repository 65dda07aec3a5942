/**
 * Translates an XSD `xs:pattern` value (XML Schema regular expression, implicitly anchored at both
 * ends) into an ECMAScript source for JSON Schema's `pattern` (unanchored, compiled with the `u`
 * flag by ajv): `[0-9]{14}` becomes `^(?:[0-9]{14})$`.
 *
 * Only the common subset that means the same in both dialects is accepted. Refused, with the
 * reason: `\d \D \w \W` (Unicode classes in XSD, ASCII in ECMAScript: write `[0-9]`), `\i \I \c \C`
 * (XML name classes), `\p{Is...}` block escapes, character class subtraction `[a-z-[aeiou]]`, and
 * `^`/`$` outside a class (plain characters in XSD, anchors in ECMAScript: escape them).
 */
export function xsdPatternToEcma(pattern: string): string {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if ('dDwW'.includes(next)) throw new Error(`pattern ${JSON.stringify(pattern)}: \\${next} is a Unicode class in XSD but ASCII in ECMAScript; write the class explicitly (e.g. [0-9])`);
      if ('iIcC'.includes(next)) throw new Error(`pattern ${JSON.stringify(pattern)}: \\${next} (XML name characters) is not supported`);
      if ((next === 'p' || next === 'P') && pattern.startsWith('{Is', i + 2)) throw new Error(`pattern ${JSON.stringify(pattern)}: Unicode block escapes (\\p{Is...}) are not supported`);
      i++;
      continue;
    }
    if (inClass) {
      if (c === '-' && pattern[i + 1] === '[') throw new Error(`pattern ${JSON.stringify(pattern)}: character class subtraction is not supported`);
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
    } else if (c === '^' || c === '$') {
      throw new Error(`pattern ${JSON.stringify(pattern)}: ${c} is a plain character in XSD but an anchor in ECMAScript; escape it as \\${c}`);
    }
  }
  const source = `^(?:${pattern})$`;
  try {
    new RegExp(source, 'u');
  } catch (error) {
    throw new Error(`pattern ${JSON.stringify(pattern)} is not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`);
  }
  return source;
}
