/** A source of the current time; injectable so tests and sandboxes control it. */
export type Clock = () => Date;

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
 * `yyyyMMddHHmmss` of `date` in `timeZone` (providers' documents give local times: EasyPay
 * Asia/Shanghai, eftPay Asia/Hong_Kong).
 *
 * @example
 * compactTimestamp(new Date('2024-11-04T02:43:13Z'), 'Asia/Shanghai') // '20241104104313'
 */
export function compactTimestamp(date: Date, timeZone: string): string {
  const p = partsIn(date, timeZone);
  return `${p['year']}${p['month']}${p['day']}${p['hour']}${p['minute']}${p['second']}`;
}

/** `yyyyMMdd` of `date` in `timeZone`. */
export function compactDate(date: Date, timeZone: string): string {
  return compactTimestamp(date, timeZone).slice(0, 8);
}
