import type { BenchConn } from '../targets/target.js';
import { clientIdFor, stamp, stampOf, stampOfClientId } from './clients.js';
import { Step } from './measure.js';
import { openLoop, sleep } from './pace.js';

/** Connections in user order; conns[k] talks with conns[k ^ 1]. */
export interface PairLoad {
  conns: BenchConn[];
  pids: number[];
  acks: boolean;
  pad: string;
  progress(text: string): void;
}

let tags = 0;

/**
 * Open loop over friend pairs: message i leaves connection i mod n for its partner at its
 * scheduled time. Returns the step after every delivery (and ack) arrived or 3 s passed.
 */
export async function openLoopPairs(l: PairLoad, rate: number, seconds: number): Promise<Step> {
  const n = l.conns.length;
  const step = new Step(l.pids);
  const mine = `s${++tags}`;
  for (const c of l.conns) {
    c.onMessage = (text) => {
      if (!text.endsWith(mine)) return;
      step.delivered++;
      step.delivery.since(stampOf(text));
    };
    c.onAck = (id) => {
      step.acked++;
      step.ack.since(stampOfClientId(id));
    };
    c.onError = () => {
      step.errors++;
    };
  }
  step.begin();
  const progress = setInterval(
    () =>
      l.progress(
        `rate ${rate}/s: sent ${step.sent} delivered ${step.delivered} acked ${step.acked} errors ${step.errors}`,
      ),
    500,
  );
  await openLoop(rate, seconds * 1000, (i, at) => {
    const c = l.conns[i % n]!;
    c.sendDirect(l.conns[(i % n) ^ 1]!.user, stamp(at, l.pad + mine), clientIdFor(i, at));
    step.sent++;
  });
  step.end();
  await step.drain(() => step.delivered >= step.sent && (!l.acks || step.acked >= step.sent), 3000);
  clearInterval(progress);
  await sleep(300);
  return step;
}

/**
 * Closed loop at saturation: every connection keeps `window` sends in flight to its partner
 * (the next leaves when an ack arrives). One second of warm-up, then `seconds` measured.
 * Returns the measured step (acked/delivered counted inside the window only).
 */
export async function saturatePairs(
  l: PairLoad,
  window: number,
  seconds: number,
  during?: { begin(): Promise<void>; end(): Promise<void> },
): Promise<Step> {
  let step = new Step(l.pids);
  let running = true;
  let n = 0;
  const sendFrom = (c: BenchConn) => {
    const at = performance.now();
    c.sendDirect(l.conns[c.user.index ^ 1]!.user, stamp(at, l.pad), clientIdFor(n++, at));
    step.sent++;
  };
  for (const c of l.conns) {
    c.onMessage = (text) => {
      step.delivered++;
      step.delivery.since(stampOf(text));
    };
    c.onAck = (id) => {
      step.acked++;
      step.ack.since(stampOfClientId(id));
      if (running) sendFrom(c);
    };
    c.onError = () => {
      step.errors++;
    };
  }
  for (const c of l.conns) for (let k = 0; k < window; k++) sendFrom(c);
  await sleep(1000);
  step = new Step(l.pids);
  await during?.begin();
  step.begin();
  const progress = setInterval(
    () => l.progress(`saturating: acked ${step.acked} delivered ${step.delivered} errors ${step.errors}`),
    500,
  );
  await sleep(seconds * 1000);
  step.end();
  const measured = { acked: step.acked, delivered: step.delivered };
  await during?.end();
  running = false;
  clearInterval(progress);
  await sleep(500);
  step.acked = measured.acked;
  step.delivered = measured.delivered;
  return step;
}
