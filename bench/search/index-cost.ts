/**
 * What search indexing costs the group commit. The group-commit writer (MessageWriter, default
 * window and batch) takes the same one-to-one messages (mixed English, accented and CJK text)
 * into a fresh SQLite file, with the background indexer off and on (alternating runs), first as
 * fast as it acknowledges them (`--batch` appends in flight), then paced at half that rate.
 * Prints the writer's messages per second and append→ack latency each way, and how far the
 * indexer lags (entries acknowledged but not yet indexed) and how long it takes to catch up.
 *
 *   node --conditions=@parley/source --import tsx bench/search/index-cost.ts [--batch 256] [--batches 40] [--rounds 3]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dmId } from '../../src/domain/conversation-id.js';
import { newId } from '../../src/domain/ids.js';
import { silentLogger } from '../../src/domain/logger.js';
import { systemClock } from '../../src/domain/clock.js';
import { MessageWriter } from '../../src/services/message-writer.js';
import { SearchIndexer } from '../../src/services/search-indexer.js';
import type { WriteItem } from '../../src/store/entry-log.js';
import { openStore } from '../../src/store/store.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const BATCH = Number(args.get('batch') ?? 256);
const BATCHES = Number(args.get('batches') ?? 40);
const ROUNDS = Number(args.get('rounds') ?? 3);
/** Entries per indexing pass (default: the indexer's own). */
const BUDGET = args.has('budget') ? Number(args.get('budget')) : undefined;

const WORDS = 'the meeting coffee tomorrow project café crème straße deadline weekend we can talk later ok'.split(' ');
const HAN = '我在北京工作上海朋友时间今天明天吃饭喝咖啡开会東京会議한국어공부'.split('');
let k = 0;
const text = () => {
  k++;
  if (k % 3 === 0) return Array.from({ length: 12 }, (_, i) => HAN[(k * 7 + i * 13) % HAN.length]).join('');
  return Array.from({ length: 10 }, (_, i) => WORDS[(k * 5 + i * 3) % WORDS.length]).join(' ');
};

interface Run {
  msgsPerSec: number;
  ackP50: number;
  ackP99: number;
  /** Most entries committed and not yet indexed, seen after a commit. */
  maxLag: number;
  /** From the last commit until the indexer had indexed everything, ms. */
  drainMs: number;
  passes: number;
  longestPassMs: number;
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

async function once(index: boolean, pace?: number): Promise<Run> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-index-cost-'));
  const store = await openStore(`sqlite:${path.join(dir, 'p.db')}`);
  let writer: MessageWriter | undefined;
  const indexer = index
    ? new SearchIndexer(store.searchIndex, silentLogger, {
        writerBusy: () => writer?.busy ?? false,
        ...(BUDGET ? { budget: BUDGET } : {}),
      })
    : undefined;
  writer = new MessageWriter(
    store.entryLog,
    systemClock,
    { commitWindow: 2, commitBatch: 256, committed: (cids) => indexer?.note(cids) },
    silentLogger,
  );
  const w = writer;
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
    // Warm-up: conversations and statement shapes.
    await Promise.all(batches[0]!.map((it) => w.append(it)));
    await indexer?.idle();
    const base = indexer?.stats.entries ?? 0;
    const lat: number[] = [];
    let maxLag = 0;
    let committed = 0;
    const t = performance.now();
    for (const [n, b] of batches.slice(1).entries()) {
      if (pace) {
        const due = t + ((n * BATCH) / pace) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      // A batch's appends go in together, spread over the batch's share of time when paced.
      await Promise.all(
        b.map(async (it, i) => {
          if (pace) await new Promise((r) => setTimeout(r, (i / pace) * 1000));
          const c = performance.now();
          await w.append(it);
          lat.push(performance.now() - c);
          committed++;
          if (indexer) maxLag = Math.max(maxLag, committed - (indexer.stats.entries - base));
        }),
      );
    }
    const elapsed = (performance.now() - t) / 1000;
    const d = performance.now();
    await indexer?.idle();
    return {
      msgsPerSec: ((BATCHES - 1) * BATCH) / elapsed,
      ackP50: pct(lat, 0.5),
      ackP99: pct(lat, 0.99),
      maxLag,
      drainMs: performance.now() - d,
      passes: indexer?.stats.passes ?? 0,
      longestPassMs: indexer?.stats.longestPassMs ?? 0,
    };
  } finally {
    await w.close();
    await indexer?.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const show = (label: string, runs: Run[]) => {
  const m = (f: (r: Run) => number) => median(runs.map(f));
  console.log(
    `| ${label} | ${Math.round(m((r) => r.msgsPerSec))} | ${m((r) => r.ackP50).toFixed(1)} | ${m((r) => r.ackP99).toFixed(1)} | ${Math.round(m((r) => r.maxLag))} | ${Math.round(m((r) => r.drainMs))} | ${Math.round(m((r) => r.passes))} | ${m((r) => r.longestPassMs).toFixed(1)} | ${runs.map((r) => Math.round(r.msgsPerSec)).join(', ')} |`,
  );
};
// The writer's and the indexer's timers are unref'd (a server's sockets keep it alive); this does here.
const keepAlive = setInterval(() => {}, 1000);
const sat = { off: [] as Run[], on: [] as Run[] };
for (let r = 0; r < ROUNDS; r++) {
  sat.off.push(await once(false));
  sat.on.push(await once(true));
}
const half = median(sat.off.map((r) => r.msgsPerSec)) / 2;
const paced = { off: [] as Run[], on: [] as Run[] };
for (let r = 0; r < ROUNDS; r++) {
  paced.off.push(await once(false, half));
  paced.on.push(await once(true, half));
}
console.log(
  `batch ${BATCH}, ${BATCHES} batches, ${ROUNDS} rounds (alternating), synchronous FULL, writer: auto, pass budget: ${BUDGET ?? 'default'}`,
);
console.log(
  '| load, indexer | msgs/s (median) | ack p50 ms | ack p99 ms | max lag (entries) | drain ms | passes | longest pass ms | runs msgs/s |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
show('saturated, off', sat.off);
show('saturated, on', sat.on);
show(`paced at ${Math.round(half)}/s, off`, paced.off);
show(`paced at ${Math.round(half)}/s, on`, paced.on);
console.log(
  `saturated throughput on/off: ${(median(sat.on.map((r) => r.msgsPerSec)) / median(sat.off.map((r) => r.msgsPerSec))).toFixed(2)}; paced ack p99 on/off: ${(median(paced.on.map((r) => r.ackP99)) / median(paced.off.map((r) => r.ackP99))).toFixed(2)}`,
);
clearInterval(keepAlive);
