import { describe, expect, it } from 'vitest';
import { componentsToDefs } from '../src/openapi/json-schema-defs.js';
import type { OpenApiDocument } from '../src/openapi/load-spec.js';
import { readMessages } from '../src/openapi/messages.js';

const doc = (schemas: Record<string, unknown>, messages: Record<string, unknown>): OpenApiDocument =>
  ({ openapi: '3.1.0', info: { title: 't', version: '1' }, components: { schemas }, 'x-refundkit-messages': messages }) as OpenApiDocument;

const signed = {
  type: 'object',
  additionalProperties: false,
  required: ['amount', 'sign'],
  properties: { amount: { type: 'integer' }, sign: { type: 'string' } },
};

describe('readMessages', () => {
  it('derives <name>.unsigned without the signature field, keeping the schema closed', () => {
    const { messages, derivedSchemas } = readMessages(doc({ Req: signed }, { 'refund.request': { schema: '#/components/schemas/Req', signatureField: 'sign' } }));
    expect(messages.map((m) => m.name)).toEqual(['refund.request', 'refund.request.unsigned']);
    expect(messages[1]).toMatchObject({ schema: 'ReqUnsigned', unsignedOf: { message: 'refund.request', field: 'sign' } });
    const unsigned = derivedSchemas['ReqUnsigned'] as typeof signed;
    expect(Object.keys(unsigned.properties)).toEqual(['amount']);
    expect(unsigned.required).toEqual(['amount']);
    expect(unsigned.additionalProperties).toBe(false);
  });

  it('recurses into oneOf branches that are references', () => {
    const choice = { oneOf: [{ $ref: '#/components/schemas/Req' }, { type: 'object' }] };
    const { derivedSchemas } = readMessages(doc({ Req: signed, Choice: choice }, { 'query.request': { schema: '#/components/schemas/Choice', signatureField: 'sign' } }));
    expect((derivedSchemas['ChoiceUnsigned'] as typeof choice).oneOf[0]).toEqual({ $ref: '#/components/schemas/ReqUnsigned' });
    expect(derivedSchemas['ReqUnsigned']).toBeDefined();
  });

  it('refuses a signature field the schema does not have', () => {
    expect(() => readMessages(doc({ Req: signed }, { 'refund.request': { schema: '#/components/schemas/Req', signatureField: 'reqSign' } }))).toThrow(/no property reqSign/);
  });

  it('refuses unknown schemas, bad names and an empty message map', () => {
    expect(() => readMessages(doc({ Req: signed }, { 'refund.request': { schema: '#/components/schemas/Nope' } }))).toThrow(/not a schema/);
    expect(() => readMessages(doc({ Req: signed }, { refund: { schema: '#/components/schemas/Req' } }))).toThrow(/not <operation>/);
    expect(() => readMessages(doc({ Req: signed }, {}))).toThrow(/no x-refundkit-messages/);
  });
});

describe('componentsToDefs', () => {
  it('rewrites component references to $defs references, deeply', () => {
    const defs = componentsToDefs({ A: { properties: { b: { $ref: '#/components/schemas/B' }, c: { items: [{ $ref: '#/components/schemas/C' }] } } } });
    expect(JSON.stringify(defs)).toBe('{"A":{"properties":{"b":{"$ref":"#/$defs/B"},"c":{"items":[{"$ref":"#/$defs/C"}]}}}}');
  });
});
