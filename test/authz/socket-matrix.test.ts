import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import type { ParleyClient, ClientFrame, ErrorFrame, ServerFrame } from '@parley/client';
import { testDialects } from '../support/databases.js';
import { DeliveryChecker } from '../support/delivery-checker.js';
import { type TestServer, startServer } from '../support/server.js';
import { muteMember } from '../support/social-fixtures.js';
import { RawSocket, connectClient } from '../support/ws-clients.js';
import { type GroupFixture, type User, V, World } from './matrix-types.js';

/**
 * The socket half of the authorization matrix: every conversation action a socket can take
 * (send, sync, read, typing, recall, edit), tried by each actor who must be refused. Each
 * refusal is an error frame with the expected code; afterwards nothing was stored, and the
 * rightful participants (tracked by the delivery checker) received exactly what was acked and
 * no receipt or typing signal from a refused actor.
 */
interface Row {
  who: string;
  action: ClientFrame['type'];
  actor: () => User;
  frame: () => ClientFrame;
  codes: string[];
  /** Allowed but bounded: a departed member may mark read only up to its departure (the receipt says where). */
  capped?: number;
}

const codecs = ['json', 'msgpack'] as const;

describe.each(testDialects())('socket authorization matrix on %s', (dialect) => {
  let s: TestServer;
  let w: World;
  let g: GroupFixture;
  let a: User; // friends with b
  let b: User;
  let nonFriend: User;
  let blocked: User; // a friend of b whom b blocked
  let muted: User;
  let dm: string;
  let gid: string;
  let ownerSeq: number; // the owner's message in the group
  let memberSeq: number; // the member's message in the group
  let leftSeq: number; // where the kicked member's view of the group ends
  const checker = new DeliveryChecker();
  const open: ParleyClient[] = [];
  const signals: ServerFrame[] = [];
  let n = 0;

  beforeAll(async () => {
    s = await startServer({ dialect, config: { messageRate: 100_000, messageBurst: 100_000, typingThrottle: 0 } });
    w = new World(s);
    g = await w.group('invite');
    [a, b, nonFriend, blocked] = (await w.users(4, 'sm')) as [User, User, User, User];
    await w.friends(a, b);
    await w.friends(blocked, b);
    await w.block(b, blocked);
    muted = (await w.users(1, 'mute'))[0]!;
    await w.friends(g.owner, muted);
    expect(
      (await s.api.post(`${V}/groups/${g.id}/members`, { userIds: [muted.user.id] }, g.owner.token)).status,
    ).toBeLessThan(300);
    dm = dmId(a.user.id, b.user.id);
    gid = `g:${g.id}`;
    // The rightful participants, live, recorded by the checker.
    for (const [name, u] of [
      ['a', a],
      ['b', b],
      ['owner', g.owner],
      ['admin', g.admin],
      ['member', g.member],
    ] as const) {
      const c = await connectClient(s.url, u.token, 'json', {}, (x) => checker.attach(name, u.user.id, x));
      c.on('typing', (f) => signals.push(f));
      c.on('receipt', (f) => signals.push(f));
      open.push(c);
    }
    // One message each way before the kick, one after, so recall/edit have targets.
    await open[0]!.send({ to: dm, kind: 'text', text: 'a to b' });
    ownerSeq = (await open[2]!.send({ to: gid, kind: 'text', text: 'owner says' })).seq;
    memberSeq = (await open[4]!.send({ to: gid, kind: 'text', text: 'member says' })).seq;
    const left = await s.app.store.conn.db
      .selectFrom('conversation_members')
      .select('left_seq')
      .where('conversation_id', '=', gid)
      .where('user_id', '=', g.kicked.user.id)
      .executeTakeFirstOrThrow();
    leftSeq = Number(left.left_seq);
    expect(leftSeq).toBeLessThan(ownerSeq);
    await muteMember(s.app, g.id, muted.user.id, Date.now() + 3_600_000);
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await s?.close();
  });

  const cid = () => `sm-${n++}`;
  const rows = (): Row[] => [
    // send
    {
      who: 'stranger',
      action: 'send',
      actor: () => g.stranger,
      frame: () => ({ type: 'send', clientId: cid(), to: dm, kind: 'text', text: 'x' }),
      codes: ['FORBIDDEN'],
    },
    {
      who: 'stranger',
      action: 'send',
      actor: () => g.stranger,
      frame: () => ({ type: 'send', clientId: cid(), to: gid, kind: 'text', text: 'x' }),
      codes: ['NOT_A_MEMBER'],
    },
    {
      who: 'non-friend',
      action: 'send',
      actor: () => nonFriend,
      frame: () => ({ type: 'send', clientId: cid(), to: dmId(nonFriend.user.id, b.user.id), kind: 'text', text: 'x' }),
      codes: ['NOT_FRIENDS'],
    },
    {
      who: 'blocked',
      action: 'send',
      actor: () => blocked,
      frame: () => ({ type: 'send', clientId: cid(), to: dmId(blocked.user.id, b.user.id), kind: 'text', text: 'x' }),
      codes: ['BLOCKED'],
    },
    {
      who: 'kicked member',
      action: 'send',
      actor: () => g.kicked,
      frame: () => ({ type: 'send', clientId: cid(), to: gid, kind: 'text', text: 'x' }),
      codes: ['NOT_A_MEMBER'],
    },
    {
      who: 'muted member',
      action: 'send',
      actor: () => muted,
      frame: () => ({ type: 'send', clientId: cid(), to: gid, kind: 'text', text: 'x' }),
      codes: ['MUTED'],
    },
    // sync
    {
      who: 'stranger',
      action: 'sync',
      actor: () => g.stranger,
      frame: () => ({ type: 'sync', conversations: { [dm]: 0 }, only: true }),
      codes: ['FORBIDDEN', 'NOT_A_MEMBER'],
    },
    {
      who: 'stranger',
      action: 'sync',
      actor: () => g.stranger,
      frame: () => ({ type: 'sync', conversations: { [gid]: 0 }, only: true }),
      codes: ['NOT_A_MEMBER'],
    },
    // read
    {
      who: 'stranger',
      action: 'read',
      actor: () => g.stranger,
      frame: () => ({ type: 'read', conversation: dm, seq: 1 }),
      codes: ['FORBIDDEN', 'NOT_A_MEMBER'],
    },
    {
      who: 'kicked member',
      action: 'read',
      actor: () => g.kicked,
      frame: () => ({ type: 'read', conversation: gid, seq: memberSeq }),
      codes: [],
      capped: leftSeq,
    },
    // typing
    {
      who: 'stranger',
      action: 'typing',
      actor: () => g.stranger,
      frame: () => ({ type: 'typing', conversation: dm }),
      codes: ['FORBIDDEN', 'NOT_A_MEMBER'],
    },
    {
      who: 'non-friend',
      action: 'typing',
      actor: () => nonFriend,
      frame: () => ({ type: 'typing', conversation: dmId(nonFriend.user.id, b.user.id) }),
      codes: ['NOT_FRIENDS', 'FORBIDDEN'],
    },
    {
      who: 'blocked',
      action: 'typing',
      actor: () => blocked,
      frame: () => ({ type: 'typing', conversation: dmId(blocked.user.id, b.user.id) }),
      codes: ['BLOCKED', 'FORBIDDEN'],
    },
    {
      who: 'kicked member',
      action: 'typing',
      actor: () => g.kicked,
      frame: () => ({ type: 'typing', conversation: gid }),
      codes: ['NOT_A_MEMBER'],
    },
    // recall
    {
      who: 'stranger',
      action: 'recall',
      actor: () => g.stranger,
      frame: () => ({ type: 'recall', clientId: cid(), conversation: dm, seq: 1 }),
      codes: ['FORBIDDEN', 'NOT_A_MEMBER'],
    },
    {
      who: 'kicked member',
      action: 'recall',
      actor: () => g.kicked,
      frame: () => ({ type: 'recall', clientId: cid(), conversation: gid, seq: ownerSeq }),
      codes: ['NOT_A_MEMBER'],
    },
    {
      who: "non-admin recalling another's message",
      action: 'recall',
      actor: () => g.member,
      frame: () => ({ type: 'recall', clientId: cid(), conversation: gid, seq: ownerSeq }),
      codes: ['FORBIDDEN', 'ROLE_REQUIRED'],
    },
    {
      who: "peer recalling the other side's message",
      action: 'recall',
      actor: () => b,
      frame: () => ({ type: 'recall', clientId: cid(), conversation: dm, seq: 1 }),
      codes: ['FORBIDDEN'],
    },
    // edit
    {
      who: 'stranger',
      action: 'edit',
      actor: () => g.stranger,
      frame: () => ({ type: 'edit', clientId: cid(), conversation: dm, seq: 1, text: 'pwned' }),
      codes: ['FORBIDDEN', 'NOT_A_MEMBER'],
    },
    {
      who: 'kicked member',
      action: 'edit',
      actor: () => g.kicked,
      frame: () => ({ type: 'edit', clientId: cid(), conversation: gid, seq: ownerSeq, text: 'pwned' }),
      codes: ['NOT_A_MEMBER'],
    },
    {
      who: "admin editing another's message",
      action: 'edit',
      actor: () => g.admin,
      frame: () => ({ type: 'edit', clientId: cid(), conversation: gid, seq: memberSeq, text: 'pwned' }),
      codes: ['FORBIDDEN'],
    },
    // react and pin
    ...(['react', 'pin'] as const).flatMap((type): Row[] => {
      const f = (conversation: string, seq: number): ClientFrame =>
        type === 'react'
          ? { type, clientId: cid(), conversation, seq, emoji: '👍' }
          : { type, clientId: cid(), conversation, seq };
      return [
        { who: 'stranger', action: type, actor: () => g.stranger, frame: () => f(dm, 1), codes: ['FORBIDDEN'] },
        {
          who: 'kicked member',
          action: type,
          actor: () => g.kicked,
          frame: () => f(gid, ownerSeq),
          codes: ['NOT_A_MEMBER'],
        },
        {
          who: 'blocked',
          action: type,
          actor: () => blocked,
          frame: () => f(dmId(blocked.user.id, b.user.id), 1),
          codes: ['BLOCKED'],
        },
        { who: 'muted member', action: type, actor: () => muted, frame: () => f(gid, ownerSeq), codes: ['MUTED'] },
      ];
    }),
    {
      who: 'plain member pinning',
      action: 'pin',
      actor: () => g.member,
      frame: () => ({ type: 'pin', clientId: cid(), conversation: gid, seq: ownerSeq }),
      codes: ['ROLE_REQUIRED'],
    },
  ];

  it('covers every conversation action of the protocol', () => {
    const actions = new Set(rows().map((r) => r.action));
    expect([...actions].sort()).toEqual(['edit', 'pin', 'react', 'read', 'recall', 'send', 'sync', 'typing']);
    expect(new Set(rows().map((r) => r.who))).toEqual(
      new Set([
        'stranger',
        'non-friend',
        'blocked',
        'kicked member',
        'muted member',
        "non-admin recalling another's message",
        "peer recalling the other side's message",
        "admin editing another's message",
        'plain member pinning',
      ]),
    );
  });

  it.each(codecs)('every refused actor gets the coded error and changes nothing (%s)', async (codec) => {
    const count = async () =>
      Number(
        (
          await s.app.store.conn.db
            .selectFrom('entries')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirst()
        )?.n ?? 0,
      );
    const before = await count();
    signals.length = 0;
    const sockets = new Map<string, RawSocket>();
    try {
      for (const row of rows()) {
        const u = row.actor();
        let ws = sockets.get(u.user.id);
        if (!ws) {
          ws = await RawSocket.open(s.url, { codec, token: u.token });
          await ws.next((f) => f.type === 'ready');
          sockets.set(u.user.id, ws);
        }
        ws.frames.length = 0;
        ws.send(row.frame());
        const what = `${row.action} as ${row.who}`;
        if (row.capped !== undefined) {
          const receipt = await ws.next((f) => f.type === 'receipt' || f.type === 'error', 5000);
          expect(receipt, what).toMatchObject({ type: 'receipt', seq: row.capped });
          continue;
        }
        const err = await ws
          .next<ErrorFrame>((f) => f.type === 'error' || f.type === 'ack', 5000)
          .catch((e) => {
            throw new Error(`${what}: ${e.message}`);
          });
        expect(err.type, `${what}: ${JSON.stringify(err)}`).toBe('error');
        expect(row.codes, `${what}: got ${err.code}`).toContain(err.code);
        if (row.action === 'sync') {
          await ws.next((f) => f.type === 'sync.done');
          const leaked = ws.frames.filter((f) => f.type === 'sync.batch' && f.entries.length > 0);
          expect(leaked, `${what} leaked entries`).toEqual([]);
        }
        // Still serving that socket.
        ws.send({ type: 'ping', id: 'after' });
        await ws.next((f) => f.type === 'pong');
      }
    } finally {
      for (const ws of sockets.values()) ws.close();
    }
    expect(await count()).toBe(before);
    // The rightful participants got only what was acked, and no signal from refused actors.
    const members = { [dm]: [a.user.id, b.user.id], [gid]: [g.owner.user.id, g.admin.user.id, g.member.user.id] };
    // System entries (joins, the kick) were written by the group service, not acked to a client.
    const sys = await s.app.store.conn.db
      .selectFrom('entries')
      .select('seq')
      .where('conversation_id', '=', gid)
      .where('kind', '=', 'system')
      .execute();
    checker.stored(
      gid,
      sys.map((r) => Number(r.seq)),
    );
    await checker.settle(members);
    checker.verify(members);
    const refusedIds = new Set([g.stranger, nonFriend, blocked, g.kicked].map((u) => u.user.id));
    expect(signals.filter((f) => 'userId' in f && refusedIds.has(f.userId))).toEqual([]);
  });

  it('the kicked member syncs the group only up to its kick', async () => {
    await open[2]!.send({ to: gid, kind: 'text', text: 'after the kick' });
    const ws = await RawSocket.open(s.url, { token: g.kicked.token });
    await ws.next((f) => f.type === 'ready');
    ws.send({ type: 'sync', conversations: { [gid]: 0 }, only: true });
    await ws.next((f) => f.type === 'sync.done');
    const texts = ws.frames.flatMap((f) => (f.type === 'sync.batch' ? f.entries.map((e) => e.text) : []));
    expect(texts).not.toContain('after the kick');
    expect(texts).not.toContain('owner says');
    ws.close();
    const hist = await s.api.get(`${V}/conversations/${gid}/messages`, g.kicked.token);
    expect(JSON.stringify(hist.body)).not.toContain('after the kick');
  });
});
