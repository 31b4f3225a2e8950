/**
 * What a capability hands the retention job for a kind of data it owns: remove, for one
 * tenant, at most `limit` items older than `before`, answering how many went. The job calls it
 * again while it answers `limit`, so a large backlog goes in bounded batches.
 */
import type { RetentionKind } from './retention-kinds.js';

export interface RetentionRule {
  kind: RetentionKind;
  purge(tenantId: string, before: Date, limit: number): Promise<number>;
}
