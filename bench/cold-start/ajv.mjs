// Cold start, the bare alternative: import ajv and compile the same JSON Schema (tipay
// refund.request with the definitions it references, extracted from specs/tipay/openapi.yaml
// by cold-start.bench.mjs into the file given as argv[2]) at run time, then validate the same
// request. Same ajv options as the generator (packages/codegen/src/ajv/emit-validators.ts),
// except `strict: false`, so the spec's x- annotations need no registering. Exit 3 if refused.
import { readFileSync } from 'node:fs';
import Ajv2020Module from 'ajv/dist/2020.js';

const Ajv2020 = Ajv2020Module.default ?? Ajv2020Module;
const schema = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: true });
const validate = ajv.compile(schema);
const request = { merchantNo: '10012426723', orderId: 'order123456789', refundRequestId: 'refundorder987654', refundAmount: '88.88', description: '用户申请退货并退款' };
if (!validate(request)) process.exit(3);
