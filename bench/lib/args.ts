/** `--key value` / `--key=value` / `--flag` options after the scenario name. */
export type Args = Map<string, string>;

export function parseArgs(argv: string[]): { positional: string[]; opts: Args } {
  const opts: Args = new Map();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    if (eq > 0) opts.set(a.slice(2, eq), a.slice(eq + 1));
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) opts.set(a.slice(2), argv[++i]!);
    else opts.set(a.slice(2), 'true');
  }
  return { positional, opts };
}

export const num = (o: Args, k: string, d: number) => (o.has(k) ? Number(o.get(k)) : d);
export const str = (o: Args, k: string, d: string) => o.get(k) ?? d;
export const list = (o: Args, k: string, d: string[]) =>
  o.has(k)
    ? o
        .get(k)!
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : d;
export const nums = (o: Args, k: string, d: number[]) => list(o, k, d.map(String)).map(Number);
