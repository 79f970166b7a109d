/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Open-loop sending: `send(i, scheduledAt)` is called for the i-th message at its scheduled
 * time (start + i / rate), whether or not earlier ones were answered. When the event loop falls
 * behind, the late sends still carry their scheduled time, so the delay counts as latency.
 * Resolves after `durationMs` with the number of messages sent.
 */
export function openLoop(
  rate: number,
  durationMs: number,
  send: (i: number, scheduledAt: number) => void,
): Promise<number> {
  const start = performance.now();
  const total = Math.floor((rate * durationMs) / 1000);
  const interval = 1000 / rate;
  let next = 0;
  return new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - start) / interval) + 1);
      while (next < due) {
        send(next, start + next * interval);
        next++;
      }
      if (next >= total) resolve(next);
      else setTimeout(tick, Math.max(0, Math.min(1, start + next * interval - performance.now())));
    };
    tick();
  });
}

/** Runs `fn` over items with at most `width` in flight. */
export async function pool<T>(
  items: readonly T[],
  width: number,
  fn: (item: T, i: number) => Promise<void>,
): Promise<void> {
  let i = 0;
  const worker = async () => {
    while (i < items.length) {
      const k = i++;
      await fn(items[k]!, k);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}
