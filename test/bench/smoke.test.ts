import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

/**
 * A tiny run of the real load generator in its own process against real servers it starts
 * (the bare baseline and Parley on SQLite): a couple of seconds at a low rate. Checks that the
 * result JSON is complete and sane, never how fast anything was.
 */
describe('bench smoke', () => {
  it('runs the one-to-one scenario against bare ws and Parley and writes sane JSON', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-smoke-'));
    try {
      const { stdout } = await run(
        process.execPath,
        [
          '--conditions=@parley/source',
          '--import',
          'tsx',
          'bench/run.ts',
          'direct',
          '--targets',
          'bare,parley',
          '--runs',
          '1',
          '--conns',
          '20',
          '--rates',
          '40',
          '--seconds',
          '2',
          '--out',
          out,
        ],
        { cwd: root, timeout: 90_000 },
      );
      expect(stdout).toContain('| parley | rate=40 |');
      const files = fs.readdirSync(out).filter((f) => f.startsWith('direct-') && f.endsWith('.json'));
      expect(files).toHaveLength(1);
      const result = JSON.parse(fs.readFileSync(path.join(out, files[0]!), 'utf8'));
      expect(result.scenario).toBe('direct');
      expect(result.machine.nproc).toBeGreaterThan(0);
      expect(result.records.map((r: { target: string }) => r.target)).toEqual(['bare', 'parley']);
      for (const rec of result.records) {
        expect(rec.error).toBeUndefined();
        const row = rec.rows.find((r: { step: string }) => r.step === 'rate=40');
        expect(row).toBeDefined();
        expect(row.sent).toBe(80);
        expect(row.delivered).toBe(80);
        expect(row.lost).toBe(0);
        expect(row.errors).toBe(0);
        expect(row.p50).toBeGreaterThan(0);
        expect(row.p99).toBeGreaterThanOrEqual(row.p50);
        expect(row.max).toBeGreaterThanOrEqual(row.p99);
        expect(row.serverRssMiB).toBeGreaterThan(0);
      }
      const parley = result.records[1].rows[0];
      expect(parley.acked).toBe(80); // persisted and acknowledged, every one
      expect(result.medians.parley[0].p99).toBe(parley.p99);
      const ratio = result.ratios.find(
        (r: { subject: string; baseline: string; metric: string }) =>
          r.subject === 'parley' && r.baseline === 'bare' && r.metric === 'p99',
      );
      expect(ratio.ratio).toBeCloseTo(parley.p99 / result.records[0].rows[0].p99, 1);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
  it('counts every fan-out delivery through the light frame readers, JSON, MessagePack and Socket.IO', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-smoke-'));
    try {
      await run(
        process.execPath,
        [
          '--conditions=@parley/source',
          '--import',
          'tsx',
          'bench/run.ts',
          'fanout',
          '--targets',
          'bare,socketio,parley,parley:msgpack',
          '--runs',
          '1',
          '--members',
          '30',
          '--rates',
          '20',
          '--seconds',
          '1',
          '--out',
          out,
        ],
        { cwd: root, timeout: 90_000 },
      );
      const files = fs.readdirSync(out).filter((f) => f.startsWith('fanout-') && f.endsWith('.json'));
      const result = JSON.parse(fs.readFileSync(path.join(out, files[0]!), 'utf8'));
      expect(result.records).toHaveLength(4);
      for (const rec of result.records) {
        expect(rec.error).toBeUndefined();
        const row = rec.rows.find((r: { step: string }) => r.step === 'rate=20');
        // 20 sends, each to the 29 other members; every one found, timed and nothing else counted.
        expect(row.sent).toBe(20);
        expect(row.delivered).toBe(20 * 29);
        expect(row.lost).toBe(0);
        expect(row.errors).toBe(0);
        expect(row.p50).toBeGreaterThan(0);
        expect(row.max).toBeLessThan(3000);
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
