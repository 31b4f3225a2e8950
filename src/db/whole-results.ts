/**
 * Every `find` asks for its whole result in its first batch. FerretDB 1.24 on PostgreSQL keeps
 * a PostgreSQL connection for each cursor that still has documents to hand out (a find answers
 * 101 documents by default; the rest come with getMore) until that cursor is exhausted. With
 * more such cursors than FerretDB's pool has connections (`pool_max_conns`), the finds behind
 * them wait for a PostgreSQL connection while holding every driver connection, and the
 * getMores that would free one wait for a driver connection: nothing answers any more. That is
 * how /search (two finds of 100+ search entries each) stopped answering under 50 clients
 * (test/db/cursors.test.ts reproduces it). A find whose whole result fits in its first batch
 * closes its cursor at once, so no connection is held between requests.
 *
 * Every find the application makes reads its result into memory anyway (`await
 * Model.find()`), so this changes no memory use; on MongoDB a reply still stops at 16 MB and
 * the rest comes with getMore as usual. A query that sets its own batch size keeps it.
 * Installed on `mongoose.Query.prototype.exec`, not as a schema plugin, because models are
 * compiled (in the composition root) before the connection module is imported, and a global
 * plugin reaches only models compiled after it.
 */
import mongoose from 'mongoose';

export const FIRST_BATCH_SIZE = 1_000_000;

let installed = false;

export function askForWholeResultsInFirstBatch(): void {
  if (installed) return;
  installed = true;
  const exec = mongoose.Query.prototype.exec;
  mongoose.Query.prototype.exec = function execWithWholeFirstBatch(this: mongoose.Query<unknown, unknown>, ...args: Parameters<typeof exec>) {
    // `op` names the operation of every mongoose query; its types leave it out.
    const op = (this as unknown as { op?: string }).op;
    if (op === 'find' && this.getOptions().batchSize === undefined) this.batchSize(FIRST_BATCH_SIZE);
    return exec.apply(this, args);
  } as typeof exec;
}
