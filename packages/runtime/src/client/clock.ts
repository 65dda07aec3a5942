/**
 * refundkit's one clock type: the current time in epoch milliseconds (`Date.now`, the default
 * everywhere), injectable so tests and sandboxes move time instead of waiting. The generated
 * clients, the signers, the ledgers and the sandbox all take this type.
 */
export type Clock = () => number;

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(date: Date, timeZone: string): Record<string, string> {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return Object.fromEntries(formatter.formatToParts(date).map((p) => [p.type, p.value]));
}

/**
 * The last second formatted, per zone: a busy merchant stamps many requests within one second,
 * and `formatToParts` costs about as much as the rest of an eftPay request's signing. (An
 * invalid date's `NaN` second never matches, so it still throws.)
 */
const lastFormatted = new Map<string, { readonly second: number; readonly text: string }>();

/**
 * `yyyyMMddHHmmss` of `date` in `timeZone` (providers' documents give local times: EasyPay
 * Asia/Shanghai, eftPay Asia/Hong_Kong).
 *
 * @example
 * compactTimestamp(new Date('2024-11-04T02:43:13Z'), 'Asia/Shanghai') // '20241104104313'
 */
export function compactTimestamp(date: Date, timeZone: string): string {
  const second = Math.floor(date.getTime() / 1000);
  const last = lastFormatted.get(timeZone);
  if (last !== undefined && last.second === second) return last.text;
  const p = partsIn(date, timeZone);
  const text = `${p['year']}${p['month']}${p['day']}${p['hour']}${p['minute']}${p['second']}`;
  lastFormatted.set(timeZone, { second, text });
  return text;
}

/** `yyyyMMdd` of `date` in `timeZone`. */
export function compactDate(date: Date, timeZone: string): string {
  return compactTimestamp(date, timeZone).slice(0, 8);
}
