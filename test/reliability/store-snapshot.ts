/**
 * What the store holds, to tell whether a request wrote anything: for every collection of the
 * database, the hash of each document's BSON. Documents are read raw (as the server sends
 * them, never decoded unless two snapshots differ), so a snapshot of a small database is cheap.
 * Comparing two snapshots names the collections and documents added, removed or changed.
 */
import { createHash } from 'node:crypto';
import mongoose from 'mongoose';

export interface StoreSnapshot {
  /** collection -> hash of a document's BSON -> the BSON. */
  collections: Map<string, Map<string, Buffer>>;
}

/** Per collection, a MongoDB filter of the documents a snapshot keeps (all when absent). */
export type SnapshotFilters = Record<string, Record<string, unknown>>;

export async function snapshotStore(keep: SnapshotFilters = {}): Promise<StoreSnapshot> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('not connected');
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
  const entries = await Promise.all(
    names.map(async (name) => {
      const docs = (await db
        .collection(name)
        .find(keep[name] ?? {}, { raw: true })
        .toArray()) as unknown as Buffer[];
      return [name, new Map(docs.map((doc) => [createHash('sha1').update(doc).digest('base64'), doc]))] as const;
    }),
  );
  return { collections: new Map(entries) };
}

/** How `after` differs from `before`: one line per changed collection; empty when they hold the same. */
export function storeDifferences(before: StoreSnapshot, after: StoreSnapshot): string[] {
  const out: string[] = [];
  const names = [...new Set([...before.collections.keys(), ...after.collections.keys()])].sort();
  const idsOf = (docs: Buffer[]) => docs.map((doc) => String(mongoose.mongo.BSON.deserialize(doc)._id));
  for (const name of names) {
    const a = before.collections.get(name) ?? new Map<string, Buffer>();
    const b = after.collections.get(name) ?? new Map<string, Buffer>();
    if (!before.collections.has(name)) out.push(`${name}: collection created`);
    if (!after.collections.has(name)) out.push(`${name}: collection dropped`);
    const gone = idsOf([...a.entries()].filter(([hash]) => !b.has(hash)).map(([, doc]) => doc));
    const come = idsOf([...b.entries()].filter(([hash]) => !a.has(hash)).map(([, doc]) => doc));
    if (gone.length + come.length === 0) continue;
    const changed = come.filter((id) => gone.includes(id));
    const list = (label: string, ids: string[]) => (ids.length > 0 ? ` ${label} ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ` (+${ids.length - 5})` : ''}` : '');
    out.push(`${name}:${list('added', come.filter((id) => !changed.includes(id)))}${list('removed', gone.filter((id) => !changed.includes(id)))}${list('changed', changed)}`);
  }
  return out;
}
