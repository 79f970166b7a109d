import { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import { fail } from '../domain/errors.js';
import type { Actor } from './accounts.js';
import type { ServiceDeps } from './deps.js';
import { groupView } from './social-views.js';
import { throttle } from './throttle.js';
import { privateUser } from './users-view.js';

/** Rows read per query: an export holds one page of each kind at a time, whatever its size. */
const PAGE = 500;
/** One export per user per ten minutes, across the cluster (an archive can be large). */
const EXPORT_BUDGET = { count: 1, perSecond: 1 / 600 };
/** Archives being written by this node at once; more wait their turn (429, temporary). */
const MAX_RUNNING = 4;

/** Reads a stored blob (the media service's `read`): a stream of its bytes, or a coded error. */
export type BlobReader = (sha256: string) => Promise<Readable>;

export interface ExportArchive {
  filename: string;
  /** The ZIP, produced while it is read: entries are written one after another, never buffered whole. */
  stream: Readable;
}

/** A name safe in any file system: ids and conversation ids keep their letters, the rest becomes `_`. */
const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120);

/**
 * The user's data export (`GET /me/export`): one ZIP with `profile.json`, `contacts.json`,
 * `groups.json`, `messages/<conversation>.ndjson` (the messages the user sent, one JSON object a
 * line, in seq order) and `media/<id>-<name>` (each upload's bytes, piped from the blob store).
 * Every part is read from the store page by page when the archive reaches it (yazl's lazy
 * entries), so memory stays flat however large the export. Throttled per user (one per ten
 * minutes, one at a time) and per node (a few at once).
 */
export class AccountExport {
  private readonly running = new Set<string>();

  constructor(
    private readonly deps: ServiceDeps,
    private readonly readBlob: BlobReader,
  ) {}

  async open(actor: Actor): Promise<ExportArchive> {
    const { store, limiter } = this.deps;
    const me = actor.userId;
    const user = await store.users.byId(me);
    if (!user || user.deleted_at != null) throw fail('UNAUTHENTICATED', 'The account no longer exists');
    if (this.running.has(me))
      throw fail('RATE_LIMITED', 'Your export is already being written', { retryAfterMs: 60_000 });
    if (this.running.size >= MAX_RUNNING)
      throw fail('RATE_LIMITED', 'Too many exports in progress; try again shortly', { retryAfterMs: 30_000 });
    await throttle(limiter, `export:${me}`, EXPORT_BUDGET, 'One export every ten minutes; try again later');
    this.running.add(me);

    const zip = new ZipFile();
    const out = zip.outputStream as Readable;
    const release = () => this.running.delete(me);
    out.once('end', release);
    out.once('close', release);
    out.once('error', release);

    const mtime = new Date(this.deps.clock.now());
    const json = (v: unknown) => Buffer.from(`${JSON.stringify(v, null, 2)}\n`);
    zip.addBuffer(json({ ...privateUser(user), exportedAt: mtime.getTime() }), 'profile.json', { mtime });
    const lazy = (name: string, make: () => Promise<Readable> | Readable, compress = true) =>
      zip.addReadStreamLazy(name, { mtime, compress }, (cb) => {
        Promise.resolve()
          .then(make)
          .then(
            (s) => cb(null, s),
            (err) => cb(err, undefined as never),
          );
      });

    lazy('contacts.json', () => Readable.from(this.contacts(me)));
    const groups = await store.groups.mine(me);
    zip.addBuffer(json(groups.map((g) => groupView(g, g))), 'groups.json', { mtime });

    // Entries are queued as their pages are read; yazl writes them in order meanwhile.
    const fill = async () => {
      for (let after = ''; ; ) {
        const ids = await store.accountExport.conversations(me, after, PAGE);
        for (const cid of ids) lazy(`messages/${safeName(cid)}.ndjson`, () => Readable.from(this.messages(cid, me)));
        if (ids.length < PAGE) break;
        after = ids.at(-1)!;
      }
      for (let after = ''; ; ) {
        const rows = await store.accountExport.media(me, after, PAGE);
        for (const m of rows)
          lazy(`media/${m.id}-${safeName(m.name)}`, () => this.blob(m.sha256), !/^(image|audio|video)\//.test(m.mime));
        if (rows.length < PAGE) break;
        after = rows.at(-1)!.id;
      }
      zip.end();
    };
    fill().catch((err) => {
      this.deps.log.warn({ err, userId: me }, 'export failed while listing');
      out.destroy(err);
    });
    return { filename: `parley-export-${safeName(user.username)}.zip`, stream: out };
  }

  private async *contacts(me: string): AsyncGenerator<string> {
    yield '[';
    let first = true;
    for (let after = ''; ; ) {
      const rows = await this.deps.store.accountExport.contacts(me, after, PAGE);
      for (const c of rows) {
        yield `${first ? '' : ','}\n  ${JSON.stringify(c)}`;
        first = false;
      }
      if (rows.length < PAGE) break;
      after = rows.at(-1)!.id;
    }
    yield '\n]\n';
  }

  private async *messages(cid: string, me: string): AsyncGenerator<string> {
    for (let after = 0; ; ) {
      const rows = await this.deps.store.accountExport.ownEntries(cid, me, after, PAGE);
      let chunk = '';
      for (const e of rows) {
        chunk += `${JSON.stringify({
          conversation: cid,
          seq: Number(e.seq),
          id: e.id,
          kind: e.kind,
          body: JSON.parse(e.body),
          target: e.target_seq == null ? undefined : Number(e.target_seq),
          createdAt: Number(e.created_at),
          editedAt: e.edited_at == null ? undefined : Number(e.edited_at),
          recalledAt: e.recalled_at == null ? undefined : Number(e.recalled_at),
        })}\n`;
      }
      if (chunk) yield chunk;
      if (rows.length < PAGE) break;
      after = Number(rows.at(-1)!.seq);
    }
  }

  /** A missing blob (a crash between record and bytes) leaves an empty file rather than failing the archive. */
  private async blob(sha256: string): Promise<Readable> {
    try {
      return await this.readBlob(sha256);
    } catch (err) {
      this.deps.log.warn({ err, sha256 }, 'export: media bytes missing');
      return Readable.from([]);
    }
  }
}
