import type { ServerProc } from '../lib/spawn-server.js';

export type TargetName = 'bare' | 'socketio' | 'parley';

export interface BenchUser {
  index: number;
  id: string;
  /** Parley: a session token whose hash was inserted into the store. */
  token?: string;
  groups: string[];
}

export interface WorldSpec {
  users: number;
  /** Groups made of the first `size` users (user 0 is the owner). */
  groups: number[];
  /** Also partition all users into consecutive groups of this size (idle density). */
  groupsOf?: number;
  /** Make users 2k and 2k+1 friends (one-to-one scenarios). */
  pairs: boolean;
}

/** The member index ranges of every group a spec asks for: [first, end). */
export function groupRanges(spec: WorldSpec): [number, number][] {
  const out: [number, number][] = spec.groups.map((size) => [0, Math.min(size, spec.users)]);
  if (spec.groupsOf)
    for (let i = 0; i < spec.users; i += spec.groupsOf) out.push([i, Math.min(spec.users, i + spec.groupsOf)]);
  return out;
}

export interface World {
  users: BenchUser[];
  groups: { id: string; size: number }[];
}

export interface ConnectOptions {
  localAddress: string;
  codec?: 'json' | 'msgpack';
}

/**
 * One client connection as every scenario sees it, whatever the server behind it. `text` is
 * the scenario's payload (it carries the scheduled send time); `clientId` comes back in acks.
 */
export interface BenchConn {
  readonly user: BenchUser;
  sendDirect(peer: BenchUser, text: string, clientId: string): void;
  sendGroup(groupId: string, text: string, clientId: string): void;
  /** A message from someone else arrived. */
  onMessage?: (text: string) => void;
  /** The server acknowledged a send (targets without acks never call it). */
  onAck?: (clientId: string) => void;
  onError?: (what: string) => void;
  /**
   * Hands the socket's reads to the light frame reader (bench/lib/frame-scan.ts): from then on
   * every frame's payload goes to `onPayload` undecoded, and `onMessage` no longer fires.
   */
  lighten?(onPayload: (buf: Buffer, start: number, end: number) => void): void;
  /** Resolves when the connection's start-up work is done (Parley: the initial sync). */
  settled?(): Promise<void>;
  close(): void;
}

/** A server under test plus how to seed it and connect to it. */
export interface Target {
  readonly name: TargetName;
  readonly server: ServerProc;
  /** Whether sends are acknowledged (after commit, for Parley). */
  readonly acks: boolean;
  prepare(spec: WorldSpec): Promise<World>;
  /** Resolves once the connection is open and authenticated (ready to send). */
  connect(user: BenchUser, opts: ConnectOptions): Promise<BenchConn>;
  stop(): Promise<void>;
}

/** Plain world for servers without accounts: ids are just names. */
export function plainWorld(spec: WorldSpec): World {
  const users: BenchUser[] = Array.from({ length: spec.users }, (_, i) => ({ index: i, id: `u${i}`, groups: [] }));
  const groups = groupRanges(spec).map(([from, to], i) => {
    const id = `grp${i}`;
    for (let k = from; k < to; k++) users[k]!.groups.push(id);
    return { id, size: to - from };
  });
  return { users, groups };
}
