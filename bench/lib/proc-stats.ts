import fs from 'node:fs';
import os from 'node:os';

/** CPU and memory of another process, read from /proc (Linux). */
export interface ProcSample {
  /** Seconds of CPU (user + system) used since the process started. */
  cpuSec: number;
  rssBytes: number;
  at: number;
}

const TICKS = 100; // USER_HZ: 100 on every Linux this runs on

export function sampleProc(pid: number): ProcSample | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may hold spaces; everything after the last ')' is space-separated.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    return { cpuSec: (utime + stime) / TICKS, rssBytes: rss ? Number(rss[1]) * 1024 : 0, at: performance.now() };
  } catch {
    return undefined;
  }
}

/** CPU use between two samples, in percent of one core. */
export function cpuPercent(a: ProcSample | undefined, b: ProcSample | undefined): number {
  if (!a || !b || b.at <= a.at) return 0;
  return Math.round(((b.cpuSec - a.cpuSec) / ((b.at - a.at) / 1000)) * 1000) / 10;
}

/** The generator's own CPU, for telling "the server was the limit" from "the generator was". */
export function selfCpu() {
  const u = process.cpuUsage();
  return {
    cpuSec: (u.user + u.system) / 1e6,
    rssBytes: process.memoryUsage().rss,
    at: performance.now(),
  } satisfies ProcSample;
}

export function machine() {
  const cpus = os.cpus();
  return {
    nproc: cpus.length,
    cpu: cpus[0]?.model ?? 'unknown',
    memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: os.release(),
  };
}
