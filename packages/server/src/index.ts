export { startServer, type ServerOptions, type RunningServer, type NodeListener, type MountedHandler } from './server.js';
export { createMetrics, type ServerMetrics, type MetricsSource } from './metrics.js';
export { createLogger, refundsLogger, REDACT_PATHS, type LoggerOptions } from './logger.js';
