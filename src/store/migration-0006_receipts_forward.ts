import type { Migration } from 'kysely';

/**
 * Delivery receipts: each member's "received up to" position, next to `read_seq`. It only moves
 * forward (the repository's conditional update), and a read implies delivery, so clients show
 * `max(delivered_seq, read_seq)` as delivered. Existing rows start at 0: their messages show as
 * sent until the peer's device next reports what it received. Forwarding needs no schema: a
 * forwarded message is an ordinary entry whose body carries the mark.
 */
export function receiptsForward(): Migration {
  return {
    async up(db) {
      await db.schema
        .alterTable('conversation_members')
        .addColumn('delivered_seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}
