import { readFileSync } from 'node:fs';
import { decodeMessageAs, encodeMessage } from '@refundkit/yima';
import iconv from 'iconv-lite'; import xmljs from 'xml-js';
import { opsPerSecond } from './lib/common.mjs';
for (const name of ['refund.response', 'refund.request']) {
const bytes = readFileSync(`specs/yima/examples/${name}.xml`);
const { value } = decodeMessageAs(name, bytes);
const text = iconv.decode(bytes, 'GBK'); const c = xmljs.xml2js(text, {compact:true});
console.log(name, 'rk enc', opsPerSecond(() => encodeMessage(name, value), 16, 500).toFixed(0), 'rk dec', opsPerSecond(() => decodeMessageAs(name, bytes), 16, 500).toFixed(0),
 'bare enc', opsPerSecond(() => iconv.encode(xmljs.js2xml(c, {compact:true}), 'GBK'), 16, 500).toFixed(0), 'bare dec', opsPerSecond(() => xmljs.xml2js(iconv.decode(bytes, 'GBK'), {compact:true}), 16, 500).toFixed(0));
}
