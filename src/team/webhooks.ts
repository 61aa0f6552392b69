// src/team/webhooks.ts — drift notifications: POST with retries and backoff; what still fails goes to the store's dead letters.
export interface Webhook {
  url: string;
  format: 'json' | 'slack';
}

export interface DeliveryResult {
  url: string;
  ok: boolean;
  attempts: number;
  error?: string;
}

/** The URL as it may be shown or stored: user-info password and query values hidden (webhook URLs carry tokens). */
export const redactHookUrl = (url: string): string => url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#:@]*:)[^/?#@]*@/i, '$1[REDACTED]@').replace(/\?.*$/, '?[REDACTED]').replace(/(hooks\.slack\.com\/services\/)[^?#]*/i, '$1[REDACTED]');

/** POSTs `payload` as JSON; non-2xx or a network error is retried `retries` times with doubling delays from `baseDelayMs`. */
export async function deliver(hook: Webhook, payload: object, opts: { retries?: number; baseDelayMs?: number; timeoutMs?: number; deadLetter?: (r: { url: string; payload: string; error: string; attempts: number }) => Promise<void> } = {}): Promise<DeliveryResult> {
  const retries = opts.retries ?? 3;
  const body = JSON.stringify(payload);
  let error = '';
  let attempts = 0;
  for (let i = 0; i <= retries; i++) {
    attempts++;
    try {
      const res = await fetch(hook.url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'vouch-webhook' }, body, signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { url: redactHookUrl(hook.url), ok: true, attempts };
      error = `status ${res.status}`;
    } catch (e) {
      error = e instanceof Error ? `${e.message}${e.cause instanceof Error ? ` (${e.cause.message})` : ''}` : String(e);
    }
    if (i < retries) await new Promise((r) => setTimeout(r, (opts.baseDelayMs ?? 500) * 2 ** i));
  }
  await opts.deadLetter?.({ url: redactHookUrl(hook.url), payload: body, error, attempts });
  return { url: redactHookUrl(hook.url), ok: false, attempts, error };
}
