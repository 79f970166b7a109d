import type { Bus } from '../bus/bus.js';
import { CloseCodes } from '@parley/client';
import type { Logger } from '../domain/logger.js';

/** Sockets closed per step, and the pause between steps, so reconnects are spread out. */
const STEP = 200;
const PAUSE_MS = 50;

interface Closable {
  close(code: number, reason: string): void;
}

/**
 * After a bus outage (Redis was unreachable, from this node or altogether), every frame
 * published meanwhile was lost for this node's sockets, and so were the `topic.join` /
 * `topic.leave` notices that keep their group subscriptions right. When the bus turns healthy
 * again each local socket is closed with 1012 (service restart): the client reconnects (to any
 * node), is subscribed to its current groups, resends what is unacknowledged and syncs, so it
 * catches up on everything from the store. Closing is spread out (STEP sockets per PAUSE_MS) so
 * a node with many sockets does not get all of them back in the same instant.
 *
 * The first healthy report at startup closes nothing (no socket exists yet); a node that never
 * lost the bus closes nothing.
 */
export function restartSocketsOnBusRecovery(
  bus: Bus,
  sockets: () => Iterable<Closable>,
  log: Logger,
  isClosing: () => boolean,
): void {
  let wasDown = false;
  bus.onHealthChange?.((healthy) => {
    if (!healthy) {
      wasDown = true;
      return;
    }
    if (!wasDown || isClosing()) return;
    wasDown = false;
    const list = [...sockets()];
    if (!list.length) return;
    log.info({ sockets: list.length }, 'bus recovered: closing sockets with 1012 so clients reconnect and sync');
    void (async () => {
      for (let i = 0; i < list.length; i += STEP) {
        if (i > 0) await new Promise((r) => setTimeout(r, PAUSE_MS));
        for (const s of list.slice(i, i + STEP))
          s.close(CloseCodes.SERVICE_RESTART, 'bus recovered; reconnect and sync');
      }
    })();
  });
}
