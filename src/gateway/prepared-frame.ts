import { frameMessage, type PreparedFrame } from './socket-writer.js';

export type { PreparedFrame };

/**
 * Builds a server→client frame once for many recipients. The hub frames each codec's bytes
 * once per fan-out and writes the same Buffer to every socket, instead of `ws.send` per member
 * re-encoding a string payload to UTF-8, building a header and issuing two writes per socket
 * (perf: see BENCHMARKS.md, group fan-out).
 */
export function prepareFrame(payload: string | Uint8Array, binary: boolean): PreparedFrame {
  const data =
    typeof payload === 'string'
      ? Buffer.from(payload, 'utf8')
      : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  return { bytes: frameMessage(data, binary), payload };
}
