/**
 * Each provider's simulator, by registry key. The mapped type makes a provider registered (a
 * folder of `specs/`) without a handler here a compile error; test/registry.test.ts checks the
 * same at run time (DEVELOPERS.md, "Adding a provider").
 */
import type { Provider } from '../provider.js';
import type { AdapterContext, ProviderAdapter } from './adapter.js';
import { createEasypayAdapter } from './easypay.js';
import { createEftpayAdapter } from './eftpay.js';
import { createLiankeAdapter } from './lianke.js';
import { createTipayAdapter } from './tipay.js';
import { createYimaAdapter } from './yima.js';

export const SANDBOX_HANDLERS: { readonly [P in Provider]: (ctx: AdapterContext) => ProviderAdapter } = {
  easypay: createEasypayAdapter,
  eftpay: createEftpayAdapter,
  lianke: createLiankeAdapter,
  tipay: createTipayAdapter,
  yima: createYimaAdapter,
};
