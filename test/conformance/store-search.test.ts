import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from '../../src/bus/rate-limiter.js';
import { dmId, groupConversationId } from '../../src/domain/conversation-id.js';
import { newId } from '../../src/domain/ids.js';
import { AuthzCache } from '../../src/services/authz-cache.js';
import { ConversationAccess } from '../../src/services/conversation-access.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { SearchService } from '../../src/services/search.js';
import { SearchIndexer } from '../../src/services/search-indexer.js';
import { silentLogger } from '../../src/domain/logger.js';
import type { WriteItem } from '../../src/store/entry-log.js';
import type { KyselyStore } from '../../src/store/store.js';
import { testDialects } from '../support/databases.js';
import { NOW, codeOf, storesFor } from './store-setup.js';

/**
 * One fixed corpus, searched on every dialect: the hit lists are spelled out, so each dialect
 * must produce exactly them (same hits, same order, same highlights).
 */
describe.each(testDialects())('Store search on %s', (dialect) => {
  const stores = storesFor(dialect);
  // Ids sorted so the DM id and the order of equal times are the same on every run.
  const [u, v, w] = [newId(), newId(), newId()].sort() as [string, string, string];
  const gid = groupConversationId(newId());
  const dm = dmId(u, w);
  let t = NOW;
  const clock = { now: () => t } as unknown as ServiceDeps['clock'];

  const group = (sender: string, text: string): WriteItem => ({
    conversationId: gid,
    conversationKind: 'group',
    senderId: sender,
    clientId: newId(),
    kind: 'text',
    body: { text },
  });
  const commit = async (item: WriteItem) => {
    t += 1000;
    const [out] = await stores.a().entryLog.commit([item], t);
    return Number(out!.row.seq);
  };

  let service: SearchService;
  /** `conversation:seq` of the hits, newest first, following every cursor. */
  async function hits(user: string, q: string, conversation?: string, limit = 2): Promise<string[]> {
    const out: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const r = await service.search(user, { q, conversation, cursor, limit });
      out.push(...r.items.map((h) => `${h.conversation === gid ? 'g' : 'dm'}:${h.seq}`));
      if (!r.next) return out;
      cursor = r.next;
    }
    throw new Error('too many pages');
  }

  it('indexes a fixed corpus', async () => {
    const store = stores.a() as KyselyStore;
    const seqs: number[] = [];
    for (const text of [
      '我在北京工作', // 1
      '東京タワーに行きました', // 2
      '한국어를 공부합니다', // 3
      "Un Café au lait, s'il vous plaît", // 4 (u joins after 3)
      'CAFÉ CRÈME', // 5
      'cafeteria food', // 6
      '北京大学', // 7 (edited below)
      'secret coffee plans', // 8 (recalled below)
      '北京工厂，京工作坊', // 9: bigrams of 北京工作 all present, the substring is not
      'Straße am Wasser', // 10
      'がっこうへいきます', // 11
    ]) {
      seqs.push(await commit(group(v, text)));
    }
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    await commit({
      ...group(v, ''),
      kind: 'edit',
      body: { text: '上海大学' },
      targetSeq: 7,
      effect: { type: 'edit', text: '上海大学' },
    }); // 12
    await commit({ ...group(v, ''), kind: 'recall', body: {}, targetSeq: 8, effect: { type: 'recall' } }); // 13
    const after = await commit(group(v, 'café after u left')); // 14
    expect(after).toBe(14);
    // u sees 4..11 of the group (joined at 3, left at 11); v and w see all of it.
    await store.conn.db
      .insertInto('conversation_members')
      .values([
        {
          conversation_id: gid,
          user_id: u,
          read_seq: 0,
          muted: 0,
          pinned: 0,
          joined_seq: 3,
          left_seq: 11,
          updated_at: t,
        },
        {
          conversation_id: gid,
          user_id: v,
          read_seq: 0,
          muted: 0,
          pinned: 0,
          joined_seq: 0,
          left_seq: null,
          updated_at: t,
        },
      ])
      .execute();
    const dmText = (sender: string, text: string): WriteItem => ({
      conversationId: dm,
      conversationKind: 'dm',
      members: [u, w],
      senderId: sender,
      clientId: newId(),
      kind: 'text',
      body: { text },
    });
    await commit(dmText(u, '北京烤鸭 tonight?')); // dm 1
    await commit(dmText(w, 'Cafe? Sure.')); // dm 2
    await commit({ ...dmText(w, ''), kind: 'image', body: { media: { id: newId() } } }); // dm 3: no text

    const access = new ConversationAccess(new AuthzCache(store.authz), store.conversations);
    // Nothing told this indexer about the commits above: searches index what they need first.
    service = new SearchService(
      { store, limiter: new MemoryRateLimiter(clock), clock } as unknown as ServiceDeps,
      (user, cid) => access.canRead(user, cid),
      new SearchIndexer(store.searchIndex, silentLogger),
    );
  });

  it('finds CJK by substring: Chinese, Japanese, Korean', async () => {
    expect(await hits(v, '北京')).toEqual(['g:9', 'g:1']);
    expect(await hits(u, '北京')).toEqual(['dm:1', 'g:9']);
    expect(await hits(v, '北京工作')).toEqual(['g:1']);
    expect(await hits(v, '京')).toEqual(['g:9', 'g:2', 'g:1']);
    expect(await hits(v, 'タワー')).toEqual(['g:2']);
    expect(await hits(v, '東京タワー')).toEqual(['g:2']);
    expect(await hits(v, '국어')).toEqual(['g:3']);
    expect(await hits(v, 'がっこう')).toEqual(['g:11']);
    expect(await hits(v, 'かっこう')).toEqual([]);
  });

  it('ignores accents and case, matches word prefixes of three letters and more', async () => {
    expect(await hits(v, 'cafe')).toEqual(['g:14', 'g:6', 'g:5', 'g:4']);
    expect(await hits(v, 'CAFÉ')).toEqual(['g:14', 'g:6', 'g:5', 'g:4']);
    expect(await hits(v, 'café crème')).toEqual(['g:5']);
    expect(await hits(v, 'plait')).toEqual(['g:4']);
    expect(await hits(v, 'strasse')).toEqual(['g:10']);
    expect(await hits(v, 'caf lait')).toEqual(['g:4']);
    expect(await hits(v, 'au')).toEqual(['g:4']);
    expect(await hits(v, 'afe')).toEqual([]);
  });

  it('searches edits by their latest text and never finds a recalled message', async () => {
    expect(await hits(v, '上海')).toEqual(['g:7']);
    expect(await hits(v, '大学')).toEqual(['g:7']);
    expect(await hits(v, 'secret')).toEqual([]);
    expect(await hits(v, 'coffee')).toEqual([]);
  });

  it('keeps to what the user may read: join and leave windows, one conversation, strangers', async () => {
    expect(await hits(u, 'cafe')).toEqual(['dm:2', 'g:6', 'g:5', 'g:4']);
    expect(await hits(u, 'cafe', gid)).toEqual(['g:6', 'g:5', 'g:4']);
    expect(await hits(u, '한국어')).toEqual([]);
    expect(await hits(w, 'cafe')).toEqual(['dm:2']);
    expect(await hits(w, 'cafe', dm, 1)).toEqual(['dm:2']);
    expect(await codeOf(service.search(w, { q: 'cafe', conversation: gid }))).toBe('NOT_A_MEMBER');
    expect(await codeOf(service.search(v, { q: 'cafe', conversation: dm }))).toBe('FORBIDDEN');
  });

  it('returns snippets with highlight ranges into the original text', async () => {
    const r = await service.search(v, { q: 'cafe plait', limit: 5 });
    expect(r.items.map((h) => h.snippet)).toEqual([
      {
        text: "Un Café au lait, s'il vous plaît",
        highlights: [
          [3, 7],
          [27, 32],
        ],
      },
    ]);
    const k = await service.search(v, { q: '北京', limit: 1 });
    expect(k.items[0]!.snippet).toEqual({ text: '北京工厂，京工作坊', highlights: [[0, 2]] });
    expect(k.items[0]).toMatchObject({ conversation: gid, seq: 9, sender: v, kind: 'text' });
    expect(k.next).toBeTypeOf('string');
  });

  it('refuses too short and too long queries and malformed cursors with stable codes', async () => {
    expect(await codeOf(service.search(v, { q: 'a' }))).toBe('QUERY_TOO_SHORT');
    expect(await codeOf(service.search(v, { q: ' ,.! ' }))).toBe('QUERY_TOO_SHORT');
    expect(await codeOf(service.search(v, { q: 'x'.repeat(201) }))).toBe('QUERY_TOO_LONG');
    expect(await codeOf(service.search(v, { q: 'cafe', cursor: 'bm9wZQ' }))).toBe('VALIDATION_FAILED');
  });
});
