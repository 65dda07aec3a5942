// Preloaded into the CLI process by cli.test.ts (node --require): reports the process's peak
// resident set size on exit, so the test can bound the memory a hostile answer costs.
'use strict';
process.on('exit', () => {
  process.stderr.write(`\npeak-rss=${process.resourceUsage().maxRSS * 1024}\n`);
});
