/**
 * Webhook verification after the Standard Webhooks spec (https://www.standardwebhooks.com/),
 * with the reference `standardwebhooks` library: `webhook-signature` holds one or more
 * `v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<body>`, and a timestamp more
 * than five minutes away from now is refused (replays).
 */
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { ScimitarEvent } from './types.ts';

/** A webhook failed verification: bad or missing signature headers, or a stale timestamp. */
export class WebhookSignatureError extends Error {
  override name = 'WebhookSignatureError';
}

/** Headers as Node (`req.headers`), Fastify, Express and fetch (`Headers`) hand them over. */
export type WebhookHeaders =
  | { get(name: string): string | null }
  | Record<string, string | string[] | undefined>;

const NAMES = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

function pick(headers: WebhookHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  const get =
    typeof headers.get === 'function'
      ? (name: string) => (headers as { get(name: string): string | null }).get(name) ?? undefined
      : (name: string) => {
          const record = headers as Record<string, string | string[] | undefined>;
          const key = Object.keys(record).find((k) => k.toLowerCase() === name);
          const value = key === undefined ? undefined : record[key];
          return Array.isArray(value) ? value.join(' ') : value;
        };
  for (const name of NAMES) {
    const value = get(name);
    if (value === undefined) throw new WebhookSignatureError(`Missing the ${name} header`);
    out[name] = value;
  }
  return out;
}

/**
 * Verifies a webhook from Scimitar and returns its event. `body` must be the raw body, exactly
 * as received (a string or the bytes), not a re-serialised JSON object. `secret` is the
 * endpoint's `whsec_…` secret; during a rotation pass both, new and old: the body is accepted
 * when any of them signed it. Throws WebhookSignatureError otherwise.
 */
export function verifyWebhook(
  body: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string | readonly string[],
): ScimitarEvent {
  const secrets = typeof secret === 'string' ? [secret] : [...secret];
  if (secrets.length === 0) throw new TypeError('verifyWebhook needs at least one secret');
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw new TypeError('verifyWebhook needs the raw body (a string or bytes), not a parsed object');
  }
  const picked = pick(headers);
  let failure: unknown;
  for (const s of secrets) {
    try {
      return new Webhook(s).verify(body, picked) as ScimitarEvent;
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      failure = error;
    }
  }
  throw new WebhookSignatureError(
    `The webhook is not verified: ${(failure as Error | undefined)?.message ?? 'no secret matched'}`,
  );
}
