// Reads the example request a generated package README prints (issue 14: the README's request
// is the one the test sends, not a copy of it), so a README that drifts from what the sandbox
// accepts fails test/docs/readme-requests.test.ts.

/**
 * The request object literal of a generated README's client example: the argument of
 * `<provider>.refund({...})` (JSON providers), or the value of `const request: Messages[...] = {...};`
 * (XML providers). The generators print it as JSON, so it is parsed as JSON.
 */
export function readmeRequest(readme: string, provider: string): Record<string, unknown> {
  const patterns = [
    new RegExp(`await ${provider}\\.refund\\((\\{[\\s\\S]*?\\n\\})\\);`),
    /const request: Messages\["refund\.request"\] = (\{[\s\S]*?\n\});/,
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(readme);
    if (match) return JSON.parse(match[1]!) as Record<string, unknown>;
  }
  throw new Error(`the ${provider} README prints no refund request`);
}
