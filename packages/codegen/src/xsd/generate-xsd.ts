import { compileValidatorModule } from '../ajv/emit-validators.js';
import { emitXmlClient } from '../client/emit-xml-client.js';
import { typeNameOf } from '../openapi/generate-openapi.js';
import { generatedHeader } from '../emit/header.js';
import { packageFiles } from '../emit/package-files.js';
import type { FileSet } from '../emit/write-files.js';
import { codecEngineSource } from './codec-engine.js';
import { emitCodec } from './emit-codec.js';
import { emitContract, emitIndex, emitMessages, emitValidators } from './emit-modules.js';
import { emitTypes } from './emit-types.js';
import { hasSandboxReadmeExample, SANDBOX_EXAMPLE_NOTE } from '../client/readme-example.js';
import { exampleMessage } from './readme-example.js';
import { loadJsonSchemaFile } from './load-json-schema.js';
import { parseXsdContract } from './parse-xsd.js';
import type { XsdContract } from './xsd-model.js';
import { contractToDefs } from './xsd-to-json-schema.js';

/** Runtime dependencies of a generated XML provider package, exact versions (plus ajv if its validators need it). */
export const XSD_GENERATED_DEPENDENCIES = {
  '@refundkit/runtime': '0.1.0',
  '@refundkit/signing': '0.1.0',
  'xml-js': '1.6.11',
  'iconv-lite': '0.7.3',
} as const;

function readme(provider: string, contract: XsdContract, specDir: string): string {
  const first = contract.messages[0];
  const encoding = contract.settings.encoding;
  const example = first ? exampleMessage(specDir, contract, first.name) : undefined;
  return [
    '## Client',
    '',
    '```ts',
    `import { create${typeNameOf(provider)}Client, type Messages } from '@refundkit/${provider}';`,
    '',
    ...(example
      ? [`const request: Messages[${JSON.stringify(first?.name)}] = ${JSON.stringify(example, null, 2)}; // the spec's README example (specs/${provider}/examples/examples.yaml)`]
      : [`declare const request: Messages[${JSON.stringify(first?.name ?? 'refund.request')}]; // built from the payment being refunded`]),
    `const ${provider} = create${typeNameOf(provider)}Client({ baseUrl: 'https://ipos.example.com/endpoint-you-were-given' });`,
    `const { data, unknown } = await ${provider}.refund(request); // a typed ${first?.name ?? 'request'}; ${encoding} on the wire`,
    "if (data.result.id === '0000') console.log('refunded');",
    '```',
    '',
    ...(example !== undefined && hasSandboxReadmeExample(specDir) ? [SANDBOX_EXAMPLE_NOTE, ''] : []),
    `The request is validated and ${encoding}-encoded before anything is sent; the answer is decoded from its raw`,
    'bytes and validated. Elements the contract does not name are kept in `unknown`, never a failure.',
    `Each operation also comes in two halves: \`${provider}.prepareRefund(request)\` validates and ${encoding}-encodes once, with`,
    `no I/O, and \`${provider}.sendRefund(prepared)\` sends those bytes; \`refund(request)\` does both.`,
    '',
    '## Messages',
    '',
    '| message | root / type element | schema | unknown elements |',
    '|---|---|---|---|',
    ...contract.messages.map(
      (m) => `| \`${m.name}\` | \`<${m.root.name}>\` / \`<${m.typeElement}>${m.typeValue}\` | \`${m.root.type.name}\` | ${m.root.type.open ? 'kept in `unknown`, allowed' : 'kept in `unknown`, rejected by `readMessage`'} |`,
    ),
    '',
    `Every message is one XML document in ${encoding} (\`<?xml version="1.0" encoding="${encoding}"?>\`). \`String(N)\``,
    contract.settings.stringLength === 'encoded-bytes'
      ? `limits count ${encoding} bytes of the field's text (rule \`maxBytes\`: a Chinese character is 2), not characters${contract.settings.tolerantStringLength === 'characters' ? ', in what is sent; answers are read tolerantly, counting characters' : ''}. Text the encoding cannot carry (an emoji, say) is a \`ValidationError\``
      : 'lengths count characters. Text the encoding cannot carry (an emoji, say) is a `ValidationError`',
    'naming the field (rule `encoding`), never a `?` on the wire.',
    '',
    '```ts',
    `import { readMessage, writeMessage, type Messages } from '@refundkit/${provider}';`,
    '',
    `declare const input: Messages[${JSON.stringify(first?.name ?? 'refund.request')}]; // the message to send, as an object`,
    'declare const responseBytes: Uint8Array; // the answer exactly as received',
    `const body = writeMessage(${JSON.stringify(first?.name)}, input); // validated, then ${encoding} bytes`,
    `const { value, unknown } = readMessage('${first?.name.replace(/\.request$/, '.response')}', responseBytes); // decoded from raw bytes, validated`,
    '```',
    '',
  ].join('\n');
}

/**
 * Generates `@refundkit/<provider>` from the XSDs of `specs/<provider>/` (see `parseXsdContract`
 * for the subset): TypeScript types (from the XSDs' JSON Schema form, with the JSON payload
 * schemas they point at), precompiled ajv validators for every message (requests closed,
 * responses open), the contract table, the XML codec (a generic engine plus per-message
 * descriptors), and the package scaffolding.
 */
export async function generateXsdPackage(provider: string, specDir: string, specRoot: string): Promise<FileSet> {
  const contract = parseXsdContract(specDir);
  const json = new Map(contract.jsonSchemaFiles.map((file) => [file, loadJsonSchemaFile(specDir, file, contract.settings.encoding)]));
  const defs = contractToDefs(contract, json);
  const { code, exportNames, runtimeDependencies } = compileValidatorModule({
    id: `https://refundkit.dev/specs/${provider}`,
    defs,
    messages: Object.fromEntries(contract.messages.map((m) => [m.name, m.root.type.name])),
  });
  const specFiles = [...contract.xsdFiles, ...contract.jsonSchemaFiles].sort().map((f) => `${specRoot}/${f}`);
  const header = (part: string): string => generatedHeader(specFiles, part);
  const scaffolding = packageFiles({
    provider,
    description: `${contract.settings.title ?? provider}: a typed client, types, precompiled validators and the ${contract.settings.encoding} XML codec generated from its refundkit contract`,
    specFiles,
    dependencies: { ...XSD_GENERATED_DEPENDENCIES, ...runtimeDependencies },
    readme: readme(provider, contract, specDir),
  });
  return {
    ...scaffolding,
    'src/types.ts': `${header('types')}${emitTypes(defs)}`,
    'src/messages.ts': emitMessages(header('messages'), contract),
    'src/validators.ts': emitValidators(header('ajv standalone'), code, exportNames),
    'src/contract.ts': emitContract(header('contract'), provider, specRoot, specFiles, contract),
    'src/xml-codec.ts': `${header('xml codec engine')}${codecEngineSource()}`,
    'src/codec.ts': emitCodec(header('xml codec'), provider, contract),
    'src/client.ts': emitXmlClient(header('client'), {
      provider,
      typeName: typeNameOf(provider),
      title: contract.settings.title ?? provider,
      encoding: contract.settings.encoding,
      operations: contract.messages.filter((m) => m.name.endsWith('.request') && contract.messages.some((r) => r.name === m.name.replace(/\.request$/, '.response'))).map((m) => m.name.replace(/\.request$/, '')),
    }),
    'src/index.ts': emitIndex(header('index'), contract),
  };
}
