import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite'; import xmljs from 'xml-js';
import { opsPerSecond } from './lib/common.mjs';
const bytes = readFileSync('specs/yima/examples/refund.response.xml'); const text = iconv.decode(bytes, 'GBK');
const c = xmljs.xml2js(text, {compact:true});
for (const [k, f] of Object.entries({ enc: () => iconv.encode(text, 'GBK'), dec: () => iconv.decode(bytes, 'GBK'), parse: () => xmljs.xml2js(text, {compact:true}), write: () => xmljs.js2xml(c, {compact:true}), tdutf8: () => new TextDecoder().decode(bytes) }))
  console.log(k, opsPerSecond(f, 16, 500).toFixed(0));
