/**
 * What search indexing costs the group commit: the entry log commits the same batches of
 * one-to-one messages (mixed English, accented and CJK text) into a fresh SQLite file with the
 * search postings on and off, alternating, and prints messages per second of each.
 *
 *   node --conditions=@parley/source --import tsx bench/search/index-cost.ts [--batch 256] [--batches 40] [--rounds 3]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dmId } from '../../src/domain/conversation-id.js';
import { newId } from '../../src/domain/ids.js';
import type { WriteItem } from '../../src/store/entry-log.js';
import { openStore } from '../../src/store/store.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const BATCH = Number(args.get('batch') ?? 256);
const BATCHES = Number(args.get('batches') ?? 40);
const ROUNDS = Number(args.get('rounds') ?? 3);

const WORDS = 'the meeting coffee tomorrow project café crème straße deadline weekend we can talk later ok'.split(' ');
const HAN = '我在北京工作上海朋友时间今天明天吃饭喝咖啡开会東京会議한국어공부'.split('');
let k = 0;
const text = () => {
  k++;
  if (k % 3 === 0) return Array.from({ length: 12 }, (_, i) => HAN[(k * 7 + i * 13) % HAN.length]).join('');
  return Array.from({ length: 10 }, (_, i) => WORDS[(k * 5 + i * 3) % WORDS.length]).join(' ');
};

async function once(index: boolean): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-index-cost-'));
  const store = await openStore(`sqlite:${path.join(dir, 'p.db')}`, { searchIndex: index });
  try {
    const users = Array.from({ length: 400 }, () => newId());
    const batches: WriteItem[][] = [];
    for (let b = 0; b < BATCHES; b++) {
      batches.push(
        Array.from({ length: BATCH }, (_, i) => {
          const x = users[(b * BATCH + i) % 200]!;
          const y = users[200 + ((b * BATCH + i) % 200)]!;
          return {
            conversationId: dmId(x, y),
            conversationKind: 'dm' as const,
            members: x < y ? [x, y] : [y, x],
            senderId: x,
            clientId: newId(),
            kind: 'text',
            body: { text: text() },
          };
        }),
      );
    }
    await store.entryLog.commit(batches[0]!, Date.now()); // warm-up: conversations and statement shapes
    const t = performance.now();
    for (const b of batches.slice(1)) await store.entryLog.commit(b, Date.now());
    return ((BATCHES - 1) * BATCH) / ((performance.now() - t) / 1000);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const results: Record<'on' | 'off', number[]> = { on: [], off: [] };
for (let r = 0; r < ROUNDS; r++) {
  results.off.push(await once(false));
  results.on.push(await once(true));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`batch ${BATCH}, ${BATCHES} batches, ${ROUNDS} rounds (alternating), synchronous FULL`);
console.log('| search index | msgs/s (median) | runs |');
console.log('| --- | --- | --- |');
for (const m of ['off', 'on'] as const)
  console.log(`| ${m} | ${Math.round(median(results[m]))} | ${results[m].map((x) => Math.round(x)).join(', ')} |`);
console.log(`ratio on/off: ${(median(results.on) / median(results.off)).toFixed(2)}`);
