/**
 * Indexes PostgreSQL can use for the filters FerretDB 1.24 sends it. FerretDB hands an
 * equality on a top-level field to PostgreSQL as `_jsonb->'field' @> '<value>'` (its
 * `filterEqual`), but builds every MongoDB index as a btree over `(_jsonb->'field')`, and a
 * btree answers `=`, never `@>`. So PostgreSQL reads the whole table for every query, even
 * one by `_id` (explain: "Seq Scan", "Rows Removed by Filter: 1951" for a page of 50 of 2,001
 * discussions), and every query costs in proportion to its collection. A GIN index over the
 * same expression (operator class `jsonb_path_ops`) answers `@>`: that query becomes a bitmap
 * index scan (42 ms -> 0.5 ms). PostgreSQL picks it by itself, because pgx sends FerretDB's
 * statements with parameters and PostgreSQL plans them with the values. Nothing in FerretDB
 * changes, and the rows found are those of the scan (PostgreSQL rechecks the condition and
 * FerretDB filters again on top).
 *
 * For every top-level field in a MongoDB index FerretDB keeps (its `_ferretdb_database_metadata`
 * table) this adds a GIN index over that one field, named `meent_gin_<hash>`, and drops those of
 * ours whose field is in no MongoDB index any more.
 * - One index per field, not per compound index: the planner then uses the selective field
 *   alone (`terms` of the search entries) instead of also walking the posting list of one that
 *   matches every row; with the compound one it preferred the table scan (40 ms against 1.8 ms
 *   for one search key).
 * - Not `tenantId`: every document carries it and most deployments have one tenant, so its
 *   index selects nothing, and without statistics (a PostgreSQL without autovacuum, like this
 *   machine's, has none) the planner took it over `terms` and read every entry.
 * - Not dotted fields: FerretDB does not push them down (without `--test-enable-nested-pushdown`).
 * - `fastupdate = off`: with it on, new entries wait in the index's pending list until a vacuum
 *   merges them, every query reads that whole list, and the planner (rightly) prices the index
 *   above a table scan. Meent writes far less than it reads, so entries go straight in.
 *
 * Needs FerretDB's PostgreSQL URL, which we know where we start FerretDB on PostgreSQL ourselves
 * (tests, benchmarks). `pg` is loaded only when this runs, so a production without FerretDB on
 * PostgreSQL never needs it.
 */
import { createHash } from 'node:crypto';

const METADATA_TABLE = '_ferretdb_database_metadata';
const PREFIX = 'meent_gin_';
/** Fields that match (nearly) every document: an index on them only misleads the planner. */
const UNSELECTIVE_FIELDS = new Set(['tenantId']);

interface FerretDbIndex {
  key: Record<string, unknown>;
  name: string;
}

export interface MirrorResult {
  created: number;
  dropped: number;
}

/** FerretDB's pool settings in its URL mean nothing to PostgreSQL itself. */
function plainPostgresUrl(url: string): string {
  const parsed = new URL(url);
  for (const name of [...parsed.searchParams.keys()]) if (name.startsWith('pool_')) parsed.searchParams.delete(name);
  return parsed.toString();
}

const quoteIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteLiteral = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** The GIN index definitions (name -> SQL) that go with one table's MongoDB indexes. */
export function ginIndexesFor(schema: string, table: string, indexes: FerretDbIndex[]): Map<string, string> {
  const fields = new Set(indexes.flatMap((index) => Object.keys(index.key)).filter((f) => !f.includes('.') && !f.startsWith('$') && !UNSELECTIVE_FIELDS.has(f)));
  const wanted = new Map<string, string>();
  for (const field of [...fields].sort()) {
    const definition = `USING gin ((_jsonb -> ${quoteLiteral(field)}) jsonb_path_ops) WITH (fastupdate = off)`;
    // Named after what it is, so a changed definition is a new index and the old one is pruned.
    const name = PREFIX + createHash('sha256').update(`${table}\n${definition}`).digest('hex').slice(0, 24);
    wanted.set(name, `CREATE INDEX IF NOT EXISTS ${quoteIdentifier(name)} ON ${quoteIdentifier(schema)}.${quoteIdentifier(table)} ${definition}`);
  }
  return wanted;
}

/**
 * Adds (and prunes) the GIN indexes of one FerretDB database (a PostgreSQL schema of the
 * same name). Call after the MongoDB indexes are built (`syncIndexes`); safe to repeat.
 */
export async function addPostgresIndexesForFerretDb(postgresUrl: string, database: string): Promise<MirrorResult> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: plainPostgresUrl(postgresUrl) });
  await client.connect();
  try {
    const exists = await client.query<{ found: string | null }>('SELECT to_regclass($1) AS found', [`${quoteIdentifier(database)}.${quoteIdentifier(METADATA_TABLE)}`]);
    if (!exists.rows[0]?.found) return { created: 0, dropped: 0 };
    const collections = await client.query<{ table: string; indexes: FerretDbIndex[] | null }>(
      `SELECT _jsonb ->> 'table' AS table, _jsonb -> 'indexes' AS indexes FROM ${quoteIdentifier(database)}.${quoteIdentifier(METADATA_TABLE)}`,
    );
    const present = await client.query<{ tablename: string; indexname: string }>(
      `SELECT tablename, indexname FROM pg_indexes WHERE schemaname = $1 AND indexname LIKE '${PREFIX}%'`,
      [database],
    );
    const statements: string[] = [];
    let created = 0;
    let dropped = 0;
    const wantedNames = new Set<string>();
    const presentNames = new Set(present.rows.map((r) => r.indexname));
    for (const { table, indexes } of collections.rows) {
      for (const [name, sql] of ginIndexesFor(database, table, indexes ?? [])) {
        wantedNames.add(name);
        if (presentNames.has(name)) continue;
        statements.push(sql);
        created++;
      }
    }
    for (const name of presentNames) {
      if (wantedNames.has(name)) continue;
      statements.push(`DROP INDEX IF EXISTS ${quoteIdentifier(database)}.${quoteIdentifier(name)}`);
      dropped++;
    }
    // One round trip: on a fresh database these are dozens of indexes on empty tables.
    if (statements.length > 0) await client.query(statements.join(';\n'));
    return { created, dropped };
  } finally {
    await client.end();
  }
}
