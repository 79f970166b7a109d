import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dmId } from '../../src/domain/conversation-id.js';
import { type TestServer, registerUser, startServer } from '../support/server.js';
import { befriend } from '../support/social-fixtures.js';

const run = promisify(execFile);
const ROOT = process.cwd();
const PKG = path.join(ROOT, 'packages', 'client');
const manifest = JSON.parse(fs.readFileSync(path.join(PKG, 'package.json'), 'utf8'));

/**
 * @parley/client as a third party gets it: `npm pack` (its prepack builds dist/), the tarball
 * installed into a scratch project outside the workspace, and the package's own example run
 * there, importing the package BY NAME, against a real server. Budget: about 30 s (the pack's
 * tsc and one npm install; msgpackr and ws come from the npm cache or the registry).
 */
describe('@parley/client from its tarball', () => {
  let s: TestServer;
  let tmp: string;
  let tarball: string;
  let files: string[];

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-sdk-'));
    // Pack a copy, so the build its prepack runs does not replace the workspace's dist/ under
    // other tests; the copy sees the workspace's dev tools (tsc) through node_modules.
    const copy = path.join(tmp, 'client');
    fs.cpSync(PKG, copy, { recursive: true, filter: (f) => !/[/\\](dist|node_modules)$/.test(f) });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
    const packed = await run('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: copy });
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as {
      filename: string;
      files: { path: string }[];
    }[];
    tarball = path.join(tmp, info!.filename);
    files = info!.files.map((f) => f.path);

    const app = path.join(tmp, 'app');
    fs.mkdirSync(app);
    const wsVersion = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/ws/package.json'), 'utf8')).version;
    fs.writeFileSync(
      path.join(app, 'package.json'),
      JSON.stringify({
        name: 'scratch',
        private: true,
        type: 'module',
        dependencies: { '@parley/client': `file:${tarball}`, ws: wsVersion },
      }),
    );
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: app });

    s = await startServer();
  }, 120_000);

  afterAll(async () => {
    await s?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('holds the build, the README and the example, not the TypeScript source', () => {
    expect(files).toEqual(
      expect.arrayContaining(['package.json', 'README.md', 'examples/chat.mjs', 'dist/index.js', 'dist/index.d.ts']),
    );
    expect(files.filter((f) => f.startsWith('src/') || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
    expect(manifest.version).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    expect(manifest.license).toBe('Apache-2.0');
  });

  it('its example logs in, sends, gets the ack, and a resend with the same clientId is stored once', async () => {
    const a = await registerUser(s.api, 'sdka');
    const b = await registerUser(s.api, 'sdkb');
    await befriend(s.app, a.user.id, b.user.id);
    const cid = dmId(a.user.id, b.user.id);
    const app = path.join(tmp, 'app');
    const example = path.join(app, 'node_modules/@parley/client/examples/chat.mjs');
    // Run from the scratch project, so `@parley/client` resolves to the installed tarball.
    fs.copyFileSync(example, path.join(app, 'chat.mjs'));
    const resolved = await run(
      process.execPath,
      ['--input-type=module', '-e', "console.log(import.meta.resolve('@parley/client'))"],
      { cwd: app },
    );
    expect(resolved.stdout.trim()).toBe(`file://${app}/node_modules/@parley/client/dist/index.js`);

    const out = await run(process.execPath, ['chat.mjs', s.url, a.username, a.password, cid, 'hi from the tarball'], {
      cwd: app,
      timeout: 30_000,
    });
    const lines = out.stdout.trim().split('\n');
    expect(lines).toContain('state: online');
    const summary = JSON.parse(lines.at(-1)!);
    expect(summary.ack).toMatchObject({ conversation: cid, seq: 1 });
    const { type, ...ackFields } = summary.ack;
    expect(type).toBe('ack');
    expect(summary.again).toEqual(ackFields);
    expect(summary.history).toEqual([{ seq: 1, text: 'hi from the tarball' }]);
    // The live entry came back to the sender's own socket, exactly once.
    expect(lines.filter((l) => l.startsWith(`[${cid} #1]`))).toHaveLength(1);

    // And the server's own view, from the other side: one message.
    const page = await s.api.get(`/api/v1/conversations/${encodeURIComponent(cid)}/messages`, b.token);
    expect(page.body.items.map((e: { text: string }) => e.text)).toEqual(['hi from the tarball']);
  }, 60_000);

  it('its declarations type-check a TypeScript consumer with no access to the sources', async () => {
    const app = path.join(tmp, 'app');
    fs.writeFileSync(
      path.join(app, 'check.ts'),
      [
        "import { type AckFrame, CloseCodes, type Entry, ParleyClient, type RestError, createRest } from '@parley/client';",
        "const rest = createRest({ baseUrl: 'http://127.0.0.1:8080' });",
        "const history: Promise<{ items: Entry[]; next?: string }> = rest.history('dm:a:b', { limit: 10 });",
        'declare const c: ParleyClient;',
        "const ack: Promise<AckFrame> = c.send({ to: 'dm:a:b', kind: 'text', text: 'x' });",
        'const code: 4001 = CloseCodes.UNAUTHENTICATED;',
        'export type E = RestError;',
        'export { ack, code, history };',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(
      path.join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2022', 'DOM'],
          strict: true,
          noEmit: true,
          types: [],
        },
        files: ['check.ts'],
      }),
    );
    const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
    await expect(run(process.execPath, [tsc, '-p', app], { cwd: app })).resolves.toBeTruthy();
    // Proof the check can fail: a wrong kind is refused by the published types.
    fs.appendFileSync(path.join(app, 'check.ts'), "c.send({ to: 'x', kind: 'nonsense' });\n");
    await expect(run(process.execPath, [tsc, '-p', app], { cwd: app })).rejects.toMatchObject({
      stdout: expect.stringContaining('"nonsense"'),
    });
  }, 60_000);
});
