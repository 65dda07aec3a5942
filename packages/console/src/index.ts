export { createConsoleHandler, CONSOLE_PREFIX, CONTENT_SECURITY_POLICY, type ConsoleHandler, type ConsoleOptions } from './handler.js';
export { refuse, hostAllowed, isLoopbackHost, presentedToken, sameSecret, TOKEN_COOKIE, CSRF_HEADER, type GuardConfig, type GuardRequest, type Refusal } from './guard.js';
export { PROVIDER_TIME_ZONES, majorText, type ConsoleRefunds } from './ledger-api.js';
export { SandboxLink } from './sandbox-link.js';
