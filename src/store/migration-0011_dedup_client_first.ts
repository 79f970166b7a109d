import type { Kysely, Migration } from 'kysely';
import type { DialectName } from './db.js';

type Ctx = { dialect: DialectName };

/**
 * The dedup key's index with the client id first: `entries_dedup` on (client_id, sender_id)
 * replaces `entries_client` on (sender_id, client_id). The key and its uniqueness are the same;
 * what changes is where a new key lands. Client ids start with the time (the protocol client
 * and the web client make them so), so new keys go to the right edge of the index instead of
 * one random leaf per sender: a group commit of 256 one-to-one messages writes 438 pages
 * instead of 803 and takes a third less time (BENCHMARKS.md, "Storage layout"). No query reads
 * entries by `sender_id` alone, so nothing needed the old column order.
 *
 * The new index is built before the old one goes, so the key is enforced throughout; building
 * it reads the whole table (seconds per million messages; see docs/operations.md, Upgrades).
 */
export function dedupClientFirst(ctx: Ctx): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.createIndex('entries_dedup').unique().on('entries').columns(['client_id', 'sender_id']).execute();
      const drop = db.schema.dropIndex('entries_client');
      await (ctx.dialect === 'mysql' ? drop.on('entries') : drop).execute();
    },
  };
}
