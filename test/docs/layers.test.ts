import { builtinModules } from 'node:module';
import { describe, expect, it } from 'vitest';
import { type Edge, type LayerRule, importCycles, importGraph, importSpecifiers, violations } from './import-graph.js';

// The dependency rule of docs/architecture.md ("Layers"), checked on the whole import graph.
const DRIVERS = ['kysely', 'pg', 'mysql2', 'better-sqlite3', 'ioredis', 'sharp'];
const TRANSPORT_LIBS: (string | RegExp)[] = ['ws', 'fastify', /^@fastify\//];
const NODE_BUILTINS: (string | RegExp)[] = [/^node:/, ...builtinModules];
const TRANSPORTS = ['src/http/', 'src/gateway/', 'src/transport/'];
const OUTER = ['src/app.ts', 'src/main.ts'];

const RULES: LayerRule[] = [
  {
    name: 'domain imports nothing of Parley',
    from: ['src/domain/'],
    files: ['src/'],
    except: ['src/domain/'],
    packages: [...DRIVERS, ...TRANSPORT_LIBS, 'msgpackr', '@parley/client'],
  },
  {
    name: 'protocol imports only domain, and no node:* (it is bundled for the browser)',
    from: ['src/protocol/'],
    files: ['src/'],
    except: ['src/domain/', 'src/protocol/'],
    packages: [...NODE_BUILTINS, ...DRIVERS, ...TRANSPORT_LIBS],
  },
  {
    name: 'services import no transport or driver',
    from: ['src/services/'],
    files: [...TRANSPORTS, ...OUTER],
    packages: [...DRIVERS, ...TRANSPORT_LIBS, /^@fastify\//],
  },
  {
    name: 'store imports no service, bus or transport',
    from: ['src/store/'],
    files: ['src/services/', 'src/bus/', 'src/blobs/', ...TRANSPORTS, ...OUTER],
    packages: ['ws', 'fastify', 'ioredis', /^@fastify\//],
  },
  {
    name: 'bus and blobs import no service, store or transport',
    from: ['src/bus/', 'src/blobs/'],
    files: ['src/services/', 'src/store/', ...TRANSPORTS, ...OUTER],
    packages: ['ws', 'fastify', 'kysely', /^@fastify\//],
  },
  { name: 'http does not import gateway', from: ['src/http/'], files: ['src/gateway/'] },
  { name: 'gateway does not import http', from: ['src/gateway/'], files: ['src/http/'] },
  // Decided: not even the Store interface. Transports reach data only through services.
  { name: 'transports import nothing of the store', from: TRANSPORTS, files: ['src/store/'] },
  {
    name: 'transport/ (shared by http and gateway) imports neither of them, nor services',
    from: ['src/transport/'],
    files: ['src/http/', 'src/gateway/', 'src/services/', 'src/store/', 'src/bus/', 'src/blobs/', ...OUTER],
    packages: TRANSPORT_LIBS,
  },
];

// Across the top-level folders: the web client sees only the wire contract and pure domain
// code; the benchmarks share fixtures/ with the tests instead of reaching into test/.
const TREE_RULES: LayerRule[] = [
  {
    name: 'the web client imports only @parley/client, src/protocol and src/domain',
    from: ['web/src/'],
    files: ['src/'],
    except: ['src/protocol/', 'src/domain/'],
  },
  { name: 'bench shares fixtures/, never test/', from: ['bench/'], files: ['test/'] },
  {
    name: 'fixtures/ is shared by test/ and bench/, so it imports neither',
    from: ['fixtures/'],
    files: ['test/', 'bench/'],
  },
];

// The published protocol package stands alone: a third party installs it without the server.
const CLIENT_PACKAGE: LayerRule = {
  name: '@parley/client imports only its own files and msgpackr (no node:*: it runs in browsers)',
  from: ['packages/client/src/'],
  files: [''],
  except: ['packages/client/src/'],
  packages: [/^(?!msgpackr$)/],
};

const ROOT = process.cwd();
const FIXTURE = 'test/docs/fixtures/layers';
const within = (edges: Edge[], prefix: string) =>
  edges.filter((e) => e.file === undefined || e.file.startsWith(prefix));

describe('layers', () => {
  const src = importGraph(ROOT, ['src']);

  it('the graph is read from whole files (sanity: it sees the known imports)', () => {
    expect(src.length).toBeGreaterThan(300);
    expect(src).toContainEqual(
      expect.objectContaining({ from: 'src/http/routes/conversations.ts', file: 'src/protocol/frame-schemas.ts' }),
    );
  });

  it('every rule holds on src/', () => {
    expect(violations(src, RULES)).toEqual([]);
  });

  it('web/src, bench and fixtures keep to their homes', () => {
    const tree = importGraph(ROOT, ['web/src', 'bench', 'fixtures']);
    expect(tree.length).toBeGreaterThan(50);
    expect(violations(tree, TREE_RULES)).toEqual([]);
  });

  it('src/ has no import cycle', () => {
    expect(importCycles(src)).toEqual([]);
  });

  it('@parley/client (packages/client/src) imports nothing outside itself but msgpackr, and has no cycle', () => {
    const pkg = importGraph(ROOT, ['packages/client/src']);
    expect(pkg.length).toBeGreaterThan(20);
    expect(pkg).toContainEqual(expect.objectContaining({ from: 'packages/client/src/codec.ts', pkg: 'msgpackr' }));
    expect(violations(pkg, [CLIENT_PACKAGE])).toEqual([]);
    expect(importCycles(pkg)).toEqual([]);
  });

  it('web/src/ has no import cycle', () => {
    const web = within(importGraph(ROOT, ['web/src']), 'web/src/');
    expect(web.length).toBeGreaterThan(20);
    expect(importCycles(web)).toEqual([]);
  });
});

describe('the layers checker on its fixture tree (a cycle and forbidden imports on purpose)', () => {
  const fixture = importGraph(`${ROOT}/${FIXTURE}`, ['src']);

  it('reads multi-line imports and `export … from`, dynamic import(), `../../` paths; skips comments and templates', () => {
    const edge = (from: string) => fixture.filter((e) => e.from === from).map((e) => e.file ?? e.pkg);
    expect(edge('src/http/routes/send.ts')).toEqual(['src/gateway/hub.ts']);
    expect(edge('src/gateway/hub.ts')).toEqual(['src/store/users.ts']);
    expect(edge('src/services/a.ts')).toEqual(['src/services/b.ts']);
    expect(edge('src/protocol/frames.ts')).toEqual(['node:os', 'src/domain/ids.ts']);
  });

  it('fails on the transport-to-transport import, the transport-to-store import and node:* in protocol', () => {
    expect(violations(fixture, RULES)).toEqual([
      'protocol imports only domain, and no node:* (it is bundled for the browser): src/protocol/frames.ts → node:os',
      'http does not import gateway: src/http/routes/send.ts → src/gateway/hub.ts',
      'transports import nothing of the store: src/gateway/hub.ts → src/store/users.ts',
    ]);
  });

  it('fails on a package file reaching into the server, a node:* import and another package', () => {
    const e = (spec: string, file?: string): Edge =>
      file ? { from: 'packages/client/src/x.ts', spec, file } : { from: 'packages/client/src/x.ts', spec, pkg: spec };
    const edges = [
      e('./frames.js', 'packages/client/src/frames.ts'),
      e('msgpackr'),
      e('../../../src/domain/errors.js', 'src/domain/errors.ts'),
      e('node:fs'),
      e('ws'),
    ];
    expect(violations(edges, [CLIENT_PACKAGE]).map((v) => v.slice(CLIENT_PACKAGE.name.length + 2))).toEqual([
      'packages/client/src/x.ts → src/domain/errors.ts',
      'packages/client/src/x.ts → node:fs',
      'packages/client/src/x.ts → ws',
    ]);
  });

  it('fails on the cycle', () => {
    expect(importCycles(fixture)).toEqual([['src/services/a.ts', 'src/services/b.ts']]);
  });

  it('finds a longer cycle and a self-import too', () => {
    const e = (from: string, file: string): Edge => ({ from, spec: file, file });
    expect(importCycles([e('x', 'y'), e('y', 'z'), e('z', 'x'), e('z', 'w'), e('s', 's')])).toEqual([
      ['s'],
      ['x', 'y', 'z'],
    ]);
  });

  it('parses the import forms of TypeScript', () => {
    const src = [
      "import a from './a.js';",
      "import type { B,\n  C } from './b.js';",
      "import * as D from 'd';",
      "import './side.js';",
      "export * from './e.js';",
      "export { type F } from '@scope/f/sub';",
      "const g = await import('./g.js');",
      "const s = '// not a comment'; import h from './h.js';",
      "const r = /['\"]/; import i from './i.js';",
      'export const notAnImport = \'x from "./no.js"\';',
    ].join('\n');
    expect(importSpecifiers(src)).toEqual([
      './a.js',
      './b.js',
      'd',
      './side.js',
      './e.js',
      '@scope/f/sub',
      './g.js',
      './h.js',
      './i.js',
    ]);
  });
});
