import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The real yima contract. */
export const YIMA_SPECS = join(import.meta.dirname, '../../../specs/yima');

const made: string[] = [];

/** Writes a throwaway spec folder (file name → content) and returns its path. */
export function specFolder(files: Readonly<Record<string, string | Uint8Array>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'refundkit-xsd-'));
  made.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

export function removeSpecFolders(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export const SCHEMA_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?>\n<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:refundkit="https://refundkit.dev/xsd">';
export const ENCODING = '<xs:annotation><xs:appinfo><refundkit:encoding>GBK</refundkit:encoding></xs:appinfo></xs:annotation>';

/**
 * A minimal message schema `ping.request.xsd`: root `doc` of type `Ping`, whose sequence starts
 * with the fixed `kind` and goes on with `body`; `extra` is more top-level content.
 */
export function pingSchema(body: string, extra = '', typeAttributes = 'name="Ping"'): string {
  return `${SCHEMA_OPEN}
  ${ENCODING}
  <xs:element name="doc" type="Ping"/>
  <xs:complexType ${typeAttributes}>
    <xs:sequence>
      <xs:element name="kind" type="xs:string" fixed="ping_request"/>
      ${body}
    </xs:sequence>
  </xs:complexType>
  ${extra}
</xs:schema>
`;
}
