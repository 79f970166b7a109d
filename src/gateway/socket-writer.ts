import type { Socket } from 'node:net';
import * as wsModule from 'ws';
import type { WebSocket } from 'ws';

/**
 * The gateway's write path, and the one place that knows `ws` internals.
 *
 * Two fast paths (see BENCHMARKS.md) go under `ws`'s public API: a frame the hub framed once
 * for many sockets is written straight to the TCP socket, and every socket written to in a tick
 * is corked until the tick ends. Both rely on fields `ws` does not promise to keep, so
 * {@link assertWsInternals} checks them when this module loads: a `ws` upgrade that renames or
 * drops one stops the server at start with an error naming it, instead of a gateway that
 * quietly loses frames or its slow-consumer bound.
 */

interface FrameOptions {
  fin: boolean;
  rsv1: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
}

/** What this module reads of a server-side `ws` WebSocket beyond its typed API. */
interface WsRaw {
  _socket: Socket | null;
  _sender: { _queue: unknown[] } | null;
}

/**
 * A server→client WebSocket frame built once (header + payload in one Buffer) for many
 * recipients. `payload` is kept for sockets that cannot take raw bytes right now (they use
 * `ws.send`). Built by `prepareFrame` (prepared-frame.ts).
 */
export interface PreparedFrame {
  bytes: Buffer;
  payload: string | Uint8Array;
}

/**
 * Lists what is missing of the `ws` internals this module relies on, in the module object `lib`
 * (the `ws` package's exports); empty when everything is there. Probes are built without I/O:
 * a server-side `WebSocket` before its socket is set, and a `Sender` over a stand-in socket.
 */
export function checkWsInternals(lib: unknown): string[] {
  const problems: string[] = [];
  const m = (lib ?? {}) as { WebSocket?: unknown; Sender?: unknown };
  const Sender = m.Sender as ((new (socket: unknown) => unknown) & { frame?: unknown }) | undefined;
  if (typeof Sender !== 'function')
    problems.push('the `Sender` export is gone (prepareFrame frames with `Sender.frame`)');
  else {
    if (typeof Sender.frame !== 'function')
      problems.push('`Sender.frame(data, options)` is gone (prepareFrame frames with it)');
    try {
      const sender = new Sender({}) as { _queue?: unknown; _bufferedBytes?: unknown };
      if (!Array.isArray(sender._queue))
        problems.push('`Sender#_queue` is no longer an array (a raw write must not overtake frames queued there)');
      if (typeof sender._bufferedBytes !== 'number')
        problems.push('`Sender#_bufferedBytes` is gone (bufferedAmount must count queued frames)');
    } catch (err) {
      problems.push(`\`new Sender(socket)\` throws: ${(err as Error).message}`);
    }
  }
  const Ws = m.WebSocket as (new (address: null, protocols: undefined, options: object) => object) | undefined;
  if (typeof Ws !== 'function') problems.push('the `WebSocket` export is gone');
  else {
    try {
      const ws = new Ws(null, undefined, {}); // as WebSocketServer builds one for an upgrade
      for (const field of ['_socket', '_sender'] as const) {
        if (!Object.hasOwn(ws, field))
          problems.push(`\`WebSocket#${field}\` is gone (the write path writes to and corks it)`);
      }
      // The slow-consumer bound holds for raw writes only if bufferedAmount counts the TCP
      // socket's own buffer (plus the Sender's queue): try it on stand-ins.
      const raw = ws as unknown as { _socket: unknown; _sender: unknown; bufferedAmount: unknown };
      raw._socket = { _writableState: { length: 7 } };
      raw._sender = { _bufferedBytes: 5, _queue: [] };
      if (raw.bufferedAmount !== 12)
        problems.push(
          "`WebSocket#bufferedAmount` no longer counts the TCP socket's buffer plus the Sender's (the slow-consumer limit would not see raw writes)",
        );
    } catch (err) {
      problems.push(`probing a server-side \`WebSocket\` throws: ${(err as Error).message}`);
    }
  }
  return problems;
}

/** Throws, naming every missing piece, unless {@link checkWsInternals} finds `lib` complete. */
export function assertWsInternals(lib: unknown = wsModule): void {
  const problems = checkWsInternals(lib);
  if (!problems.length) return;
  throw new Error(
    `The installed \`ws\` lacks internals Parley's gateway writes through (src/gateway/socket-writer.ts):\n  - ${problems.join('\n  - ')}\n` +
      'Pin the previous `ws` version, or port socket-writer.ts to the new internals and re-measure (BENCHMARKS.md).',
  );
}

// At start, once: never a silent fallback on every write.
assertWsInternals();

const { Sender } = wsModule as unknown as { Sender: { frame(data: Buffer, o: FrameOptions): Buffer[] } };

/** Frames `data` as one unmasked, uncompressed server message (text or binary). */
export function frameMessage(data: Buffer, binary: boolean): Buffer {
  // No compression: the gateway turns permessage-deflate off.
  const parts = Sender.frame(data, { fin: true, rsv1: false, opcode: binary ? 2 : 1, mask: false, readOnly: true });
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** What the writer needs of the connection that owns it. */
export interface WriterOwner {
  /** True once the connection is closing: nothing more is written. */
  isClosed(): boolean;
  /** A frame left through `ws.send` (counted as an outgoing message). */
  onSent(): void;
  /** The unsent buffer passed the limit: the owner closes the socket (4009). */
  onSlowConsumer(): void;
}

/**
 * Bounded, corked writes to one server-side socket. Contract: nothing is written once the owner
 * is closed or the socket is not open; after every write whose unsent bytes pass `limit`, and
 * at the end of every tick in which the socket was written to, `onSlowConsumer` is called if
 * what the kernel did not take exceeds `limit`.
 */
export class SocketWriter {
  private readonly sock: Socket;
  private readonly sender: { _queue: unknown[] };
  private corked = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly limit: number,
    private readonly owner: WriterOwner,
  ) {
    const raw = ws as unknown as WsRaw;
    // ws sets both before it hands an upgraded socket over; without them the checks above lied.
    if (!raw._socket || !raw._sender)
      throw new Error('SocketWriter: the upgraded `ws` WebSocket has no `_socket`/`_sender` (see socket-writer.ts)');
    this.sock = raw._socket;
    this.sender = raw._sender;
  }

  /** Bytes written but not yet taken by the kernel (the cork's included). */
  get buffered(): number {
    return this.ws.bufferedAmount;
  }

  write(data: string | Uint8Array) {
    if (this.owner.isClosed() || this.ws.readyState !== this.ws.OPEN) return;
    this.cork();
    this.ws.send(data);
    this.owner.onSent();
    this.afterWrite();
  }

  /**
   * Writes a frame the hub framed once for all recipients straight to the TCP socket (perf:
   * one write of a shared Buffer instead of `ws.send`'s per-socket UTF-8 encoding, header
   * allocation and two writes; see BENCHMARKS.md). ws's Sender only queues frames of its own
   * when compressing or sending Blobs, neither of which the gateway does; if it ever holds
   * some, the frame goes through `ws.send` so it cannot overtake them. `bufferedAmount` counts
   * the socket's buffer, so the slow-consumer limit holds either way.
   */
  writeFrame(frame: PreparedFrame) {
    if (this.owner.isClosed() || this.ws.readyState !== this.ws.OPEN) return;
    if (this.sender._queue.length) {
      this.write(frame.payload);
      return;
    }
    this.cork();
    this.sock.write(frame.bytes);
    this.afterWrite();
  }

  /** Waits (at most `maxMs`) until the unsent buffer is under half the limit; false once closed. */
  async room(maxMs = 2000): Promise<boolean> {
    for (
      let waited = 0;
      this.ws.bufferedAmount > this.limit / 2 && waited < maxMs && !this.owner.isClosed();
      waited += 10
    ) {
      await new Promise((r) => setTimeout(r, 10));
    }
    return !this.owner.isClosed();
  }

  /**
   * The slow-consumer bound holds per write, corked or not: bytes held by the cork count too,
   * so one busy tick cannot pile up more than the limit plus one frame. When the cork holds more
   * than the limit it is flushed to the kernel at once, and what the kernel does not take is
   * the reader's backlog.
   */
  private afterWrite() {
    if (this.ws.bufferedAmount <= this.limit) return; // checked at uncork
    this.flushCork();
    this.checkBacklog();
  }

  /**
   * Corks the socket until the end of the current tick: every frame written to it meanwhile
   * (a group commit resolves many sends at once, so many acks and fan-out frames are written in
   * one tick) leaves in one writev instead of one syscall each (perf: see BENCHMARKS.md).
   * All sockets corked in a tick are uncorked by one `nextTick` (see {@link uncorkAll}), so a
   * fan-out allocates nothing per recipient for it. The slow-consumer check runs after the
   * uncork, on what the kernel did not take: bytes merely held by the cork are not a slow
   * reader.
   */
  private cork() {
    if (this.corked) return;
    this.corked = true;
    this.sock.cork();
    corkedThisTick.push(this);
    if (!uncorkScheduled) {
      uncorkScheduled = true;
      process.nextTick(uncorkAll);
    }
  }

  private flushCork() {
    if (!this.corked) return;
    this.corked = false;
    this.sock.uncork();
  }

  /** The end of a tick in which this socket was corked. */
  endTick() {
    this.flushCork(); // unless afterWrite already flushed it early
    if (!this.owner.isClosed()) this.checkBacklog();
  }

  private checkBacklog() {
    if (this.ws.bufferedAmount > this.limit) this.owner.onSlowConsumer();
  }
}

// Writers corked during the current tick, uncorked together at its end. Two arrays take
// turns so a cork made while the list is being flushed lands in the next tick's list.
let corkedThisTick: SocketWriter[] = [];
let spare: SocketWriter[] = [];
let uncorkScheduled = false;

function uncorkAll() {
  uncorkScheduled = false;
  const list = corkedThisTick;
  corkedThisTick = spare;
  let failure: unknown;
  for (const w of list) {
    try {
      w.endTick();
    } catch (err) {
      failure ??= err; // every other socket must still be uncorked
    }
  }
  list.length = 0;
  spare = list;
  if (failure !== undefined) throw failure;
}
