// The README's request, written out from the spec's own example (issue 14: a README that shows
// the request it sends): the example of a message marked `readme: true` in `examples/examples.yaml` (else the first valid one), read as
// its XML declaration says, turned into the typed message the client takes — text stays text,
// integer types become numbers, JSON payload elements (`goods_detail`) are parsed, in the
// contract's element order.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readmeEntry, type ExampleEntry } from '../client/readme-example.js';
import { readXmlFile, type XmlNode } from './read-xml.js';
import type { ComplexType, XsdContract } from './xsd-model.js';

function valueOf(node: XmlNode, type: ComplexType): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const element of type.elements) {
    const children = node.children.filter((child) => child.local === element.name);
    const values = children.map((child): unknown => {
      if (element.type.kind === 'complex') return valueOf(child, element.type);
      if (element.json !== undefined) return JSON.parse(child.text) as unknown;
      return element.type.builtin === 'string' ? child.text : Number(child.text);
    });
    if (values.length === 0) continue;
    value[element.name] = element.maxOccurs === 1 ? values[0] : values;
  }
  return value;
}

/** The typed form of the README's XML example of `message` (`readmeEntry`), or undefined when the spec has none. */
export function exampleMessage(specDir: string, contract: XsdContract, message: string): Record<string, unknown> | undefined {
  const manifest = join(specDir, 'examples', 'examples.yaml');
  const schema = contract.messages.find((m) => m.name === message);
  if (!schema || !existsSync(manifest)) return undefined;
  const entries = parse(readFileSync(manifest, 'utf8')) as ExampleEntry[];
  const entry = readmeEntry(entries, message, '.xml');
  return entry ? valueOf(readXmlFile(join(specDir, 'examples', entry.file), entry.file), schema.root.type) : undefined;
}
