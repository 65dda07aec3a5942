/**
 * Wall-clock formatting in the providers' own time zones. The documents give local times:
 * EasyPay, Ti-Pay, Lianke and yima are in mainland China (Asia/Shanghai), eftPay in Hong Kong
 * (PROVIDERS.md). Times inside the sandbox are epoch milliseconds from an injectable clock.
 */
import { compactTimestamp } from '@refundkit/runtime';

/** Epoch milliseconds; injectable so tests control what "now" is. */
export type { Clock } from '@refundkit/runtime';

export const SHANGHAI = 'Asia/Shanghai';
export const HONG_KONG = 'Asia/Hong_Kong';

/** `yyyyMMddHHmmss`, e.g. `20241104104313` (the runtime's formatter, on epoch milliseconds). */
export function compactTime(epochMs: number, timeZone: string): string {
  return compactTimestamp(new Date(epochMs), timeZone);
}

/** `yyyyMMdd`, e.g. `20241104`. */
export function compactDate(epochMs: number, timeZone: string): string {
  return compactTime(epochMs, timeZone).slice(0, 8);
}

/** `yyyy-MM-dd HH:mm:ss`, e.g. `2024-11-04 10:43:13` (Ti-Pay refundRequestDate, eftPay trade_time). */
export function dashedTime(epochMs: number, timeZone: string): string {
  const c = compactTime(epochMs, timeZone);
  return `${c.slice(0, 4)}-${c.slice(4, 6)}-${c.slice(6, 8)} ${c.slice(8, 10)}:${c.slice(10, 12)}:${c.slice(12, 14)}`;
}
