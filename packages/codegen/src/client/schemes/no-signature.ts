import type { SchemeEmitter } from './scheme-emitter.js';

/**
 * `none`: the document defines no signature (lianke). Nothing is invented: a merchant whose
 * contract needs authentication passes an `auth` hook that adds headers to each request.
 */
export const noSignature: SchemeEmitter = {
  signingImports: ['type RequestAuthHook'],
  options: ['  /** Adds headers to each request (authentication the document does not define). Default: none. */', '  readonly auth?: RequestAuthHook;'],
  readmeOptions: [],
  setup: ['const auth = options.auth;'],
  // The hook sees the WireRequest the transport sends: its headers and exact body (`bodyBytes()`).
  headersFor: 'auth',
};
