// Times in the viewer's time zone, the provider's in the tooltip; amounts as the console gives them (major units).
const local = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const zoned = new Map<string, Intl.DateTimeFormat>();

function inZone(date: Date, zone: string): string {
  let format = zoned.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium', timeZone: zone });
    zoned.set(zone, format);
  }
  return format.format(date);
}

/** A time: the viewer's zone shown, the provider's zone in the tooltip. */
export function Time({ at, zone }: { at: string | number | undefined; zone?: string | undefined }) {
  if (at === undefined) return <span>—</span>;
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return <span>{String(at)}</span>;
  const title = zone === undefined ? date.toISOString() : `${inZone(date, zone)} (${zone}, the provider's time)`;
  return (
    <time dateTime={date.toISOString()} title={title}>
      {local.format(date)}
    </time>
  );
}

export function Status({ status }: { status: string }) {
  return <span class={`status status-${status}`}>{status}</span>;
}

/** `12.34` (major units) as minor units, exactly (no floating point): undefined when it is not an amount. */
export function minorOf(text: string): number | undefined {
  const match = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** Minor units as major units with two decimals, exactly. */
export function majorOf(minor: number): string {
  const digits = String(minor).padStart(3, '0');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
}
