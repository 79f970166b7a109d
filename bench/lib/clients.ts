import { sourceAddress } from './addresses.js';
import { Latency } from './histogram.js';
import { pool, sleep } from './pace.js';
import type { BenchConn, BenchUser, Target } from '../targets/target.js';

export interface Connected {
  conns: BenchConn[];
  /** Time from starting a connect to authenticated-and-ready, per connection. */
  handshake: Latency;
  failures: number;
  seconds: number;
}

/**
 * Connects `users` with at most `width` handshakes in flight, spread over loopback source
 * addresses. Failures are counted, not thrown (a connect storm reports them as errors).
 */
export async function connectAll(
  target: Target,
  users: readonly BenchUser[],
  o: { width?: number; codec?: 'json' | 'msgpack'; onProgress?: (text: string) => void } = {},
): Promise<Connected> {
  const handshake = new Latency();
  const conns: BenchConn[] = [];
  let failures = 0;
  const t0 = performance.now();
  await pool(users, o.width ?? 200, async (user, i) => {
    const start = performance.now();
    try {
      const c = await withTimeout(target.connect(user, { localAddress: sourceAddress(i), codec: o.codec }), 30_000);
      handshake.since(start);
      conns.push(c);
    } catch {
      failures++;
    }
    o.onProgress?.(`connected ${conns.length}/${users.length}, failed ${failures}`);
  });
  const seconds = (performance.now() - t0) / 1000;
  // In user order, so scenarios can pair conns[2k] with conns[2k+1].
  conns.sort((a, b) => a.user.index - b.user.index);
  return { conns, handshake, failures, seconds };
}

/**
 * Waits until every connection finished its start-up work (Parley clients sync after ready),
 * so a measured step does not pay for the connect phase.
 */
export async function settle(conns: readonly BenchConn[], ms = 500) {
  await Promise.all(conns.map((c) => c.settled?.()));
  await sleep(ms);
}

export function closeAll(conns: readonly BenchConn[]) {
  for (const c of conns) {
    c.onError = undefined;
    c.onMessage = undefined;
    c.close();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/** Payload carrying the scheduled send time (performance.now(), ms) so any receiver can time it. */
export const stamp = (scheduledAt: number, pad = '') => `${scheduledAt.toFixed(3)}|${pad}`;
export const stampOf = (text: string) => Number(text.slice(0, text.indexOf('|')));
/** clientIds carry the scheduled time too, so acks can be timed without a lookup table. */
export const clientIdFor = (n: number, scheduledAt: number) => `${n.toString(36)}.${scheduledAt.toFixed(3)}`;
export const stampOfClientId = (id: string) => Number(id.slice(id.indexOf('.') + 1));
