import type { ValidationIssue } from '../errors/validation-error.js';
import type { SchemaError } from './compiled-validator.js';

/**
 * Turns a JSON Pointer (`/reqBody/items/0/name`) into the dotted path users write
 * (`reqBody.items[0].name`).
 */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, token) => (/^\d+$/.test(token) ? `${path}[${token}]` : path === '' ? token : `${path}.${token}`), '');
}

function join(path: string, field: string): string {
  return path === '' ? field : `${path}.${field}`;
}

function describeRule(error: SchemaError): string {
  const p = error.params;
  switch (error.keyword) {
    case 'maxLength':
    case 'minLength':
    case 'maximum':
    case 'minimum':
    case 'maxItems':
    case 'minItems':
      return `${error.keyword} ${String(p['limit'])}`;
    case 'pattern':
      return `pattern ${String(p['pattern'])}`;
    case 'enum':
      return `enum [${(p['allowedValues'] as unknown[] | undefined)?.map((v) => JSON.stringify(v)).join(', ') ?? ''}]`;
    case 'const':
      return `const ${JSON.stringify(p['allowedValue'])}`;
    case 'type':
      return `type ${String(p['type'])}`;
    default:
      return error.keyword;
  }
}

/**
 * Maps ajv errors to issues that name the field and the rule. `required` and
 * `additionalProperties` errors point at the parent object in ajv; here they name the field.
 *
 * @example
 * schemaErrorsToIssues([{ instancePath: '', keyword: 'required', params: { missingProperty: 'refund_no' } }])
 * // [{ path: 'refund_no', rule: 'required', message: 'refund_no is required' }]
 */
export function schemaErrorsToIssues(errors: readonly SchemaError[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const at = pointerToPath(error.instancePath);
    let issue: ValidationIssue;
    if (error.keyword === 'required') {
      const path = join(at, String(error.params['missingProperty']));
      issue = { path, rule: 'required', message: `${path} is required` };
    } else if (error.keyword === 'additionalProperties' || error.keyword === 'unevaluatedProperties') {
      const field = String(error.params['additionalProperty'] ?? error.params['unevaluatedProperty']);
      const path = join(at, field);
      issue = { path, rule: 'additionalProperties', message: `${path} is not a field of this message` };
    } else {
      const rule = describeRule(error);
      const name = at === '' ? 'the message' : at;
      issue = { path: at, rule, message: `${name} breaks rule ${rule}${error.message ? ` (${error.message})` : ''}` };
    }
    const key = `${issue.path}\u0000${issue.rule}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}
