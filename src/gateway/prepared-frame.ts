import * as wsModule from 'ws';

interface FrameOptions { fin: boolean; rsv1: boolean; opcode: number; mask: boolean; readOnly: boolean }
// `ws` exports its Sender (and `Sender.frame`) at runtime; @types/ws does not declare it.
const { Sender } = wsModule as unknown as { Sender: { frame(data: Buffer, o: FrameOptions): Buffer[] } };

/**
 * A server→client WebSocket frame built once (header + payload in one Buffer) for many
 * recipients. The hub frames each codec's bytes once per fan-out and writes the same Buffer to
 * every socket, instead of `ws.send` per member re-encoding a string payload to UTF-8, building
 * a header and issuing two writes per socket (perf: see BENCHMARKS.md, group fan-out).
 * `payload` is kept for sockets that cannot take raw bytes right now (they use `ws.send`).
 */
export interface PreparedFrame {
  bytes: Buffer;
  payload: string | Uint8Array;
}

export function prepareFrame(payload: string | Uint8Array, binary: boolean): PreparedFrame {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  // Server frames are never masked; no compression (the gateway turns permessage-deflate off).
  const parts = Sender.frame(data, { fin: true, rsv1: false, opcode: binary ? 2 : 1, mask: false, readOnly: true });
  return { bytes: parts.length === 1 ? parts[0]! : Buffer.concat(parts), payload };
}
