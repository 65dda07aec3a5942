/**
 * A hostile provider on 127.0.0.1: a proxy in front of the sandbox that passes each request on
 * unchanged and spoils the sandbox's answer the way one case of issue #13 says (oversized,
 * endless, a gzip bomb, nesting 5,000 or 20,000 deep, a key or element given twice, a utf7
 * declaration, a root closed only inside a comment, invalid GBK bytes, `__proto__`).
 *
 * The request reaches the sandbox first, so the refund really happens there: every case is an
 * answer that arrives after a refund was sent, which is why each must end `unknown`.
 *
 * A provider is pointed at a case by its base URL: `http://127.0.0.1:<port>/<case>` in place of
 * the sandbox's origin (see {@link FakeProvider.baseUrl}).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Sandbox } from '@refundkit/sandbox';
import { tipaySignature } from '@refundkit/signing';
import { PROVIDER_KEYS } from '@refundkit/registry';

/** The providers, from the registry (generated from the specs): a provider added there is tested here. */
export const PROVIDERS = PROVIDER_KEYS;
export type Provider = (typeof PROVIDERS)[number];
export const JSON_PROVIDERS: readonly Provider[] = ['easypay', 'eftpay', 'lianke', 'tipay'];

const MiB = 1024 * 1024;

/** The sandbox's answer, as received: what a case spoils. */
export interface Upstream {
  readonly provider: Provider;
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

export interface HostileCase {
  readonly name: string;
  /** What the case does to the answer, in words (test titles). */
  readonly does: string;
  readonly providers: readonly Provider[];
  /** The `failure.code` the facade records (the error's `code`). */
  readonly code: string;
  /** Writes the spoiled answer. */
  readonly answer: (upstream: Upstream, res: ServerResponse, context: CaseContext) => void;
}

export interface CaseContext {
  /** The tipay AppKey, to sign a spoiled tipay answer again (so only the spoiling is judged). */
  readonly tipayAppKey: string;
}

/** Writes `chunk` until the client goes away; the server never ends the answer. */
function writeForever(res: ServerResponse, chunk: Buffer): void {
  const pump = (): void => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
}

/** Writes `parts` in order, respecting back-pressure, then ends (unless the client left). */
function writeAll(res: ServerResponse, parts: readonly Buffer[]): void {
  let next = 0;
  const pump = (): void => {
    while (next < parts.length && !res.destroyed) {
      if (!res.write(parts[next++] as Buffer)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

/** The upstream headers worth keeping (content type, tipay's signature headers). */
function keptHeaders(upstream: Upstream): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of upstream.headers) if (name === 'content-type' || name.startsWith('ti-')) kept[name] = value;
  return kept;
}

function send(res: ServerResponse, upstream: Upstream, body: Buffer, context: CaseContext, status = upstream.status): void {
  const headers = keptHeaders(upstream);
  const timestamp = headers['ti-timestamp'];
  if (upstream.provider === 'tipay' && timestamp !== undefined && headers['ti-signature'] !== undefined) {
    headers['ti-signature'] = tipaySignature(body, timestamp, context.tipayAppKey);
  }
  res.writeHead(status, { ...headers, 'content-length': String(body.byteLength) });
  res.end(body);
}

/** Inserts `insertion` right after the first `{` of a JSON text. */
function afterFirstBrace(text: string, insertion: string): string {
  const at = text.indexOf('{');
  if (at === -1) throw new Error(`fake provider: no JSON object in ${text.slice(0, 80)}`);
  return text.slice(0, at + 1) + insertion + text.slice(at + 1);
}

/**
 * A yima answer's GBK bytes as a latin1 string and back: every edit here is ASCII markup, and no
 * GBK trail byte is `<`, `/` or `>`, so the edits never cut a character.
 */
const yimaText = (body: Buffer): string => body.toString('latin1');
const yimaBytes = (text: string): Buffer => Buffer.from(text, 'latin1');
const ROOT_CLOSE = '</business_trans>';

/** Inserts `insertion` before the root's closing tag of a yima answer. */
function beforeRootClose(text: string, insertion: string): string {
  const at = text.lastIndexOf(ROOT_CLOSE);
  if (at === -1) throw new Error('fake provider: the yima answer has no </business_trans>');
  return text.slice(0, at) + insertion + text.slice(at);
}

/** 64 MiB of spaces, gzipped once (about 64 KiB): repeated, members of a gzip bomb. */
let spaceMember: Buffer | undefined;
const SPACE_MEMBER_BYTES = 64 * MiB;
/** 48 members: about 3 MB on the wire, 3 GiB inflated. */
export const BOMB_MEMBERS = 48;
export function gzipBombMember(): Buffer {
  spaceMember ??= gzipSync(Buffer.alloc(SPACE_MEMBER_BYTES, 0x20), { level: 9 });
  return spaceMember;
}

export const DEEP_JSON_LEVELS = 20_000;
export const DEEP_XML_LEVELS = 5_000;

export const CASES: readonly HostileCase[] = [
  {
    name: 'oversized',
    does: 'the real answer followed by 2 MiB of whitespace (still well-formed)',
    providers: PROVIDERS,
    code: 'answer_too_large',
    answer: (upstream, res, context) => send(res, upstream, Buffer.concat([upstream.body, Buffer.alloc(2 * MiB, 0x20)]), context),
  },
  {
    name: 'endless',
    does: 'the real answer, then whitespace that never ends',
    providers: PROVIDERS,
    code: 'answer_too_large',
    answer: (upstream, res) => {
      res.writeHead(upstream.status, keptHeaders(upstream));
      res.write(upstream.body);
      writeForever(res, Buffer.alloc(64 * 1024, 0x20));
    },
  },
  {
    name: 'gzip-bomb',
    does: `the real answer gzipped, then ${BOMB_MEMBERS} gzip members of 64 MiB of spaces (3 MB on the wire, 3 GiB inflated)`,
    providers: PROVIDERS,
    code: 'answer_too_large',
    answer: (upstream, res) => {
      res.writeHead(upstream.status, { ...keptHeaders(upstream), 'content-encoding': 'gzip' });
      writeAll(res, [gzipSync(upstream.body), ...Array.from({ length: BOMB_MEMBERS }, gzipBombMember)]);
    },
  },
  {
    name: 'error-body',
    does: 'HTTP 500 with a body that never ends',
    providers: PROVIDERS,
    code: 'answer_too_large',
    answer: (upstream, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      writeForever(res, Buffer.alloc(64 * 1024, 0x78));
    },
  },
  {
    name: 'deep-json',
    does: `an extra member nested ${DEEP_JSON_LEVELS} arrays deep`,
    providers: JSON_PROVIDERS,
    code: 'answer_too_deep',
    answer: (upstream, res, context) =>
      send(res, upstream, Buffer.from(afterFirstBrace(upstream.body.toString('utf8'), `"deep":${'['.repeat(DEEP_JSON_LEVELS)}${']'.repeat(DEEP_JSON_LEVELS)},`)), context),
  },
  {
    name: 'duplicate-key',
    does: 'the first member given twice, first as "FAIL" (JSON.parse would keep the second)',
    providers: JSON_PROVIDERS,
    code: 'answer_duplicate_key',
    answer: (upstream, res, context) => {
      const text = upstream.body.toString('utf8');
      const first = Object.keys(JSON.parse(text) as object)[0];
      send(res, upstream, Buffer.from(afterFirstBrace(text, `${JSON.stringify(first)}:"FAIL",`)), context);
    },
  },
  {
    name: 'proto-wrapped',
    does: 'the whole answer moved under "__proto__" (believed only if it became the prototype)',
    providers: JSON_PROVIDERS,
    code: 'response_invalid|signature_invalid',
    answer: (upstream, res, context) => send(res, upstream, Buffer.from(`{"__proto__":${upstream.body.toString('utf8')}}`), context),
  },
  {
    name: 'proto-detail',
    does: 'Ti-Pay refundAccountDetail items wrapped in "__proto__" (signed again: only the key is hostile)',
    providers: [],
    code: '',
    answer: (upstream, res, context) => {
      const text = upstream.body.toString('utf8');
      const spoiled = text.replace(/"refundAccountDetail":"\[\{(.*?)\}\]"/, (_, inner: string) => `"refundAccountDetail":"[{\\"__proto__\\":{${inner}}}]"`);
      if (spoiled === text) throw new Error('fake provider: the tipay answer has no refundAccountDetail');
      send(res, upstream, Buffer.from(spoiled), context);
    },
  },
  {
    name: 'deep-xml',
    does: `an extra element nested ${DEEP_XML_LEVELS} deep`,
    providers: ['yima'],
    code: 'answer_too_deep',
    answer: (upstream, res, context) =>
      send(res, upstream, yimaBytes(beforeRootClose(yimaText(upstream.body), '<x>'.repeat(DEEP_XML_LEVELS) + '</x>'.repeat(DEEP_XML_LEVELS))), context),
  },
  {
    name: 'repeated-id',
    does: 'a second <id> 0813 after the result id (first would win)',
    providers: ['yima'],
    code: 'answer_repeated_element',
    answer: (upstream, res, context) => send(res, upstream, yimaBytes(yimaText(upstream.body).replace(/(<id>[^<]*<\/id>)/, '$1<id>0813</id>')), context),
  },
  {
    name: 'repeated-result',
    does: 'a second <result> saying 0813',
    providers: ['yima'],
    code: 'answer_repeated_element',
    answer: (upstream, res, context) => send(res, upstream, yimaBytes(beforeRootClose(yimaText(upstream.body), '<result><id>0813</id><comment>x</comment></result>')), context),
  },
  {
    name: 'utf7',
    does: 'the declaration says encoding="utf7"',
    providers: ['yima'],
    code: 'answer_encoding',
    answer: (upstream, res, context) => send(res, upstream, yimaBytes(yimaText(upstream.body).replace(/encoding="[^"]*"/, 'encoding="utf7"')), context),
  },
  {
    name: 'comment-truncated',
    does: 'cut before the root closes, ending in <!-- </business_trans>',
    providers: ['yima'],
    code: 'answer_truncated',
    answer: (upstream, res, context) => {
      const text = yimaText(upstream.body);
      send(res, upstream, yimaBytes(text.slice(0, text.lastIndexOf(ROOT_CLOSE)) + '<!-- ' + ROOT_CLOSE), context);
    },
  },
  {
    name: 'cdata-truncated',
    does: 'the root closed only inside an unterminated CDATA section',
    providers: ['yima'],
    code: 'answer_truncated',
    answer: (upstream, res, context) => {
      const text = yimaText(upstream.body);
      send(res, upstream, yimaBytes(text.slice(0, text.lastIndexOf(ROOT_CLOSE)) + '<![CDATA[ ' + ROOT_CLOSE), context);
    },
  },
  {
    name: 'invalid-gbk',
    does: 'a comment holding the bytes 0x81 0xFF (no GBK character)',
    providers: ['yima'],
    code: 'answer_encoding',
    answer: (upstream, res, context) => {
      const text = yimaText(upstream.body);
      const at = text.lastIndexOf(ROOT_CLOSE);
      send(res, upstream, Buffer.concat([yimaBytes(text.slice(0, at) + '<!-- '), Buffer.from([0x81, 0xff]), yimaBytes(' -->' + text.slice(at))]), context);
    },
  },
];

/** One case, by name. */
export function hostileCase(name: string): HostileCase {
  const found = CASES.find((c) => c.name === name);
  if (!found) throw new Error(`no hostile case ${name}`);
  return found;
}

export interface FakeProvider {
  /** The base URL that sends `provider`'s requests through `caseName`. */
  baseUrl(caseName: string, provider: Provider): string;
  /** How many requests each case passed on to the sandbox. */
  readonly forwarded: Map<string, number>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Which provider a sandbox path belongs to (the sandbox serves all five on one origin). */
function providerOf(sandbox: Sandbox, path: string): Provider {
  for (const provider of PROVIDERS) {
    for (const endpoint of Object.values(sandbox.endpoints[provider])) if (new URL(endpoint).pathname === path) return provider;
  }
  throw new Error(`fake provider: ${path} is no sandbox endpoint`);
}

/** Starts the hostile proxy in front of `sandbox`, on 127.0.0.1 and an ephemeral port. */
export async function startFakeProvider(sandbox: Sandbox): Promise<FakeProvider> {
  const origin = new URL(sandbox.urls.tipay).origin;
  const context: CaseContext = { tipayAppKey: sandbox.credentials.tipay.appKey };
  const forwarded = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    res.on('error', () => undefined);
    req.on('error', () => undefined);
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const [, caseName = '', ...rest] = url.pathname.split('/');
      const path = `/${rest.join('/')}`;
      const hostile = hostileCase(caseName);
      const body = await readBody(req);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string' && !['host', 'content-length', 'connection', 'accept-encoding'].includes(name)) headers.set(name, value);
      }
      const answer = await fetch(`${origin}${path}${url.search}`, { method: req.method ?? 'POST', headers, ...(body.byteLength > 0 ? { body } : {}) });
      forwarded.set(caseName, (forwarded.get(caseName) ?? 0) + 1);
      const upstream: Upstream = { provider: providerOf(sandbox, path), status: answer.status, headers: answer.headers, body: Buffer.from(await answer.arrayBuffer()) };
      hostile.answer(upstream, res, context);
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(599, { 'content-type': 'text/plain' });
      res.end(`fake provider failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl(caseName, provider) {
      const target = new URL(sandbox.urls[provider]);
      return `${base}/${caseName}${target.pathname === '/' ? '' : target.pathname}`;
    },
    forwarded,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
