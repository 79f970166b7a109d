import webpush from 'web-push';
import type { PushDelivery, PushOptions, PushTarget, PushTransport } from '../services/push-transport.js';
import type { VapidKeys } from './vapid-keys.js';

/** A push service that does not answer in this time is given up on (the push is dropped). */
const TIMEOUT_MS = 10_000;

/**
 * Web Push over HTTP: the `web-push` library encrypts the payload (aes128gcm, RFC 8291) and
 * signs the VAPID JWT; the request itself goes out with fetch, which (unlike the library's own
 * sender) can also reach a plain-http local push service when the configuration allows one.
 */
export class WebPushSender implements PushTransport {
  constructor(private readonly vapid: VapidKeys) {}

  async send(target: PushTarget, payload: string, opts: PushOptions): Promise<PushDelivery> {
    const details = webpush.generateRequestDetails(
      { endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } },
      payload,
      {
        vapidDetails: this.vapid,
        TTL: Math.floor(opts.ttlSeconds),
        urgency: opts.urgency,
        topic: opts.topic,
        contentEncoding: 'aes128gcm',
      },
    );
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(details.headers)) {
      if (k.toLowerCase() !== 'content-length') headers[k] = String(v);
    }
    const res = await fetch(details.endpoint, {
      method: 'POST',
      headers,
      body: details.body ? new Uint8Array(details.body) : undefined,
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await res.arrayBuffer().catch(() => undefined);
    return { status: res.status };
  }
}
