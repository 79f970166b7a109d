/** Where one push goes: a subscription's endpoint and the browser's keys (base64url). */
export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

export interface PushOptions {
  /** How long the push service keeps an undelivered push. */
  ttlSeconds: number;
  urgency: 'very-low' | 'low' | 'normal' | 'high';
  /** Push services replace an undelivered push with the same topic (≤ 32 base64url chars). */
  topic?: string;
}

/** The push service's answer: 201 delivered/queued; 404 and 410 mean the subscription is gone. */
export interface PushDelivery {
  status: number;
}

/**
 * Sends one Web Push message (encrypted for the target, signed with the server's VAPID key).
 * Rejects on network failure or timeout; any HTTP answer resolves with its status.
 */
export interface PushTransport {
  send(target: PushTarget, payload: string, opts: PushOptions): Promise<PushDelivery>;
}
