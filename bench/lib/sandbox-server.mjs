// The sandbox in a node process of its own (for benchmarks that need queries answered): both
// sides of a benchmark then talk to it over HTTP and neither pays for its work. Prints one JSON
// line { urls, credentials } when listening; SIGTERM closes it. argv: <delayMs>.
import { startSandbox } from '@refundkit/sandbox';

const sandbox = await startSandbox({ delayMs: Number(process.argv[2] ?? 0) });
process.stdout.write(`${JSON.stringify({ urls: sandbox.urls, credentials: sandbox.credentials })}\n`);
const stop = () => void sandbox.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
