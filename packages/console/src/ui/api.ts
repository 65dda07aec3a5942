// The page's calls to the console's JSON API: relative to /console/, with the page's CSRF value on every action.
const csrf = document.querySelector('meta[name="refundkit-csrf"]')?.getAttribute('content') ?? '';

/** An answer that is not 2xx: the console's (or the sandbox's) own message. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function answer<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => ({}))) as { error?: { message?: string }; sandboxError?: string };
  if (!response.ok) throw new ApiError(response.status, body.error?.message ?? body.sandboxError ?? `HTTP ${response.status}`);
  return body as T;
}

export function query(params: Record<string, string | readonly string[] | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === '') continue;
    for (const v of typeof value === 'string' ? [value] : value) search.append(name, v);
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

export async function getJson<T>(path: string): Promise<T> {
  return answer<T>(await fetch(`api/${path}`, { headers: { accept: 'application/json' }, credentials: 'same-origin' }));
}

export async function send<T>(path: string, body: unknown, method: 'POST' | 'DELETE' = 'POST'): Promise<T> {
  return answer<T>(
    await fetch(`api/${path}`, {
      method,
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-refundkit-csrf': csrf },
      body: JSON.stringify(body ?? {}),
    }),
  );
}
