/**
 * Runs `work` for each item, at most `lanes` at a time, in the items' order of starting. For
 * writes to FerretDB, whose pool holds a connection per statement in flight (see
 * connection.ts), and for Outlook's per-mailbox limits (calendar-outbox.ts).
 */
export async function inLanes<T>(items: readonly T[], lanes: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const running = Array.from({ length: Math.min(lanes, items.length) }, async () => {
    while (next < items.length) await work(items[next++] as T);
  });
  await Promise.all(running);
}
