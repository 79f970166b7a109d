import fs from 'node:fs';
import path from 'node:path';

/**
 * The import graph of a source tree, read from whole files: multi-line `import … from`,
 * `export … from`, side-effect `import '…'` and dynamic `import('…')`, type-only ones included
 * (a type import still ties two rooms together). Relative specifiers are resolved to the real
 * file, `../../` and the `.js` → `.ts` mapping of NodeNext included; anything else is a package.
 */

/** One import of one file. `file` is set for a file of the tree, `pkg` for a package. */
export interface Edge {
  from: string;
  spec: string;
  file?: string;
  pkg?: string;
}

const SOURCE = /\.(ts|tsx|js|mjs)$/;

/** Every source file under `dirs` (relative to `root`), as `/`-separated paths relative to `root`. */
export function sourceFiles(root: string, dirs: string[]): string[] {
  const walk = (dir: string): string[] =>
    fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((d) => {
      const rel = `${dir}/${d.name}`;
      if (d.isDirectory()) return d.name === 'node_modules' ? [] : walk(rel);
      return SOURCE.test(d.name) && !d.name.endsWith('.d.ts') ? [rel] : [];
    });
  return dirs
    .filter((d) => fs.existsSync(path.join(root, d)))
    .flatMap(walk)
    .sort();
}

/**
 * The code of a file with comments and template literals blanked out (quoted strings and regex
 * literals kept), so an import written in a comment or quoted in a template does not count and
 * a `//` or `/*` inside a string does not hide the code after it.
 */
export function stripComments(src: string): string {
  let out = '';
  let i = 0;
  let lastSignificant = '';
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      out += src.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < n && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      // A specifier is never a template literal: blank templates, which may quote code.
      out += c === '`' ? `\`${src.slice(i + 1, j).replace(/[^\n]/g, ' ')}\`` : src.slice(i, j + 1);
      i = j + 1;
      lastSignificant = c;
      continue;
    }
    // A `/` where an expression starts is a regex literal: skip it whole (it may hold quotes).
    if (c === '/' && (lastSignificant === '' || '(,=:[!&|?{};+-*%<>~^'.includes(lastSignificant))) {
      let j = i + 1;
      let inClass = false;
      while (j < n && src[j] !== '\n' && (inClass || src[j] !== '/')) {
        if (src[j] === '\\') j++;
        else if (src[j] === '[') inClass = true;
        else if (src[j] === ']') inClass = false;
        j++;
      }
      out += src.slice(i, j + 1);
      i = j + 1;
      lastSignificant = '/';
      continue;
    }
    out += c;
    if (!/\s/.test(c)) lastSignificant = c;
    i++;
  }
  return out;
}

const STATIC = /(?:^|[^\w$.])(?:import|export)\s+(?:type\s+)?(?:[\w$*{}\s,]+?\s+from\s*)?(['"])([^'"\n]+)\1/g;
const DYNAMIC = /(?:^|[^\w$.])import\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g;

/** The module specifiers a file's source names, in order of appearance. */
export function importSpecifiers(src: string): string[] {
  const code = stripComments(src);
  const found: { at: number; spec: string }[] = [];
  for (const re of [STATIC, DYNAMIC]) {
    for (const m of code.matchAll(re)) found.push({ at: m.index ?? 0, spec: m[2]! });
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.spec);
}

/** The file of the tree a relative specifier of `from` names, or undefined when there is none. */
export function resolveRelative(root: string, from: string, spec: string): string | undefined {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  const stem = base.replace(/\.(js|mjs|jsx)$/, '');
  const candidates = [
    base,
    `${stem}.ts`,
    `${stem}.tsx`,
    `${base}.ts`,
    `${base}.tsx`,
    `${base}/index.ts`,
    `${base}/index.tsx`,
  ];
  return candidates.find((c) => fs.existsSync(path.join(root, c)) && fs.statSync(path.join(root, c)).isFile());
}

/** Every import of every source file under `dirs`. An unresolvable relative import throws. */
export function importGraph(root: string, dirs: string[]): Edge[] {
  return sourceFiles(root, dirs).flatMap((from) =>
    importSpecifiers(fs.readFileSync(path.join(root, from), 'utf8')).map((spec): Edge => {
      if (!spec.startsWith('.'))
        return { from, spec, pkg: spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]! };
      const file = resolveRelative(root, from, spec);
      if (!file) throw new Error(`${from}: cannot resolve ${spec}`);
      return { from, spec, file };
    }),
  );
}

/**
 * The import cycles among the files of `edges` (strongly connected components of two or more
 * files, or a file importing itself), each as its files in sorted order.
 */
export function importCycles(edges: Edge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!next.has(e.from)) next.set(e.from, new Set());
    if (e.file) next.get(e.from)!.add(e.file);
  }
  // Tarjan's algorithm, iterative so a deep tree cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  for (const start of next.keys()) {
    if (index.has(start)) continue;
    const work: { node: string; it: Iterator<string> }[] = [];
    const visit = (node: string) => {
      index.set(node, counter);
      low.set(node, counter++);
      stack.push(node);
      onStack.add(node);
      work.push({ node, it: (next.get(node) ?? new Set<string>()).values() });
    };
    visit(start);
    while (work.length) {
      const top = work[work.length - 1]!;
      const step = top.it.next();
      if (!step.done) {
        const to = step.value;
        if (!index.has(to)) visit(to);
        else if (onStack.has(to)) low.set(top.node, Math.min(low.get(top.node)!, index.get(to)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(top.node)!));
      if (low.get(top.node) === index.get(top.node)) {
        const scc: string[] = [];
        let x: string;
        do {
          x = stack.pop()!;
          onStack.delete(x);
          scc.push(x);
        } while (x !== top.node);
        if (scc.length > 1 || next.get(top.node)?.has(top.node)) cycles.push(scc.sort());
      }
    }
  }
  return cycles.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

/** A dependency rule: files under `from` must not import what `forbids` matches. */
export interface LayerRule {
  name: string;
  /** Folder prefixes (relative to the root, e.g. `src/http/`) the rule applies to. */
  from: string[];
  /** Folder or file prefixes of the tree that are off limits. */
  files?: string[];
  /** Packages that are off limits (exact names, or a RegExp over the package name). */
  packages?: (string | RegExp)[];
  /** Prefixes allowed although `files` forbids them (e.g. one interface file). */
  except?: string[];
}

/** Every edge that breaks a rule, as `rule: from → what` lines. */
export function violations(edges: Edge[], rules: LayerRule[]): string[] {
  const out: string[] = [];
  for (const rule of rules) {
    for (const e of edges) {
      if (!rule.from.some((p) => e.from.startsWith(p))) continue;
      const badFile =
        e.file !== undefined &&
        (rule.files ?? []).some((p) => e.file!.startsWith(p)) &&
        !(rule.except ?? []).some((p) => e.file!.startsWith(p));
      const badPkg =
        e.pkg !== undefined &&
        (rule.packages ?? []).some((p) => (typeof p === 'string' ? p === e.pkg : p.test(e.pkg!)));
      if (badFile || badPkg) out.push(`${rule.name}: ${e.from} → ${e.file ?? e.spec}`);
    }
  }
  return out;
}
