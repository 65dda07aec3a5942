// What the console's browser tests share: the real `refundkit` processes (serve, refund) and
// Debian's Chromium, headless, with a fresh profile.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sandbox } from '@refundkit/sandbox';
import { chromium, type BrowserContext } from 'playwright-core';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'packages/cli/bin/refundkit.js');
export const ARTIFACTS = join(import.meta.dirname, 'artifacts');
export const CHROMIUM = process.env['REFUNDKIT_CHROMIUM'] ?? '/usr/bin/chromium';

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Chromium headless, as CI runs it: no sandbox (containers), no GPU, no network of its own, a
 * fresh profile (`profileDir`, a new folder). The viewer is in Berlin, so a provider's time
 * (Shanghai, Hong Kong) differs from the one shown.
 */
export async function launchBrowser(profileDir: string, extraArgs: readonly string[] = []): Promise<BrowserContext> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', ...extraArgs],
    viewport: { width: 1280, height: 900 },
    timezoneId: 'Europe/Berlin',
    locale: 'en-GB',
  });
}

/** The sandbox's test credentials as a refundkit configuration. */
export function sandboxConfig(sandbox: Sandbox): Record<string, unknown> {
  const c = sandbox.credentials;
  return {
    providers: {
      tipay: { baseUrl: sandbox.urls.tipay, appId: c.tipay.appId, appKey: c.tipay.appKey, merchantNo: c.tipay.merchantNo },
      lianke: { baseUrl: sandbox.urls.lianke, storeNo: c.lianke.storeNo, operator: c.lianke.operator },
    },
  };
}

export function writeJson(path: string, value: unknown): string {
  writeFileSync(path, JSON.stringify(value, null, 2));
  return path;
}

/** `refundkit serve` in a process of its own; resolves once it listens, with its URL. */
export async function startServe(args: readonly string[], env: Record<string, string> = {}): Promise<{ url: string; process: ChildProcess; stderr: () => string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--log-level', 'warn', ...args], { env: { ...process.env, REFUNDKIT_CONSOLE_TOKEN: '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`refundkit serve exited ${code}: ${stderr}`)));
  });
  return {
    url,
    process: child,
    stderr: () => stderr,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface CliRefund {
  readonly code: number | null;
  readonly refund: { status: string; refundId: string } | undefined;
  readonly stderr: string;
}

/** `refundkit refund … --json`, the real CLI, in a process of its own (the test's sandbox must keep answering): its exit code and the refund it printed. */
export function cliRefund(args: readonly string[]): Promise<CliRefund> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'refund', '--json', ...args], { encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      let refund: CliRefund['refund'];
      try {
        refund = JSON.parse(stdout) as CliRefund['refund'];
      } catch {
        refund = undefined;
      }
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, refund, stderr });
    });
  });
}
