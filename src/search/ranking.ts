/**
 * The ranking of search candidates (the formula is described in search.service.ts).
 *
 * Candidates are read as columns (weights, time, id), not as an object each: a common word has
 * up to 2,000 candidates per request, and building, scoring and sorting an object per candidate
 * was most of what a cached search cost at 200,000 entries. Only the page asked for is ordered:
 * the best `offset + limit` are kept in a bounded heap, so the other candidates are scored and
 * compared once, never sorted.
 */
export const RECENCY_WEIGHT = 1;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Candidates as parallel columns, row i being one candidate. */
export interface RankColumns {
  /** How many candidates. */
  size: number;
  /** How many query words (the row length of `weights`). */
  words: number;
  /** Row-major: weights[i * words + w] is 0 (no match), 1 (body) or 3 (title, tags). */
  weights: ArrayLike<number>;
  /** Epoch milliseconds of the candidate's time; NaN for a person (no recency). */
  atMs: ArrayLike<number>;
  id: (i: number) => string;
}

export interface Ranked {
  /** Row of the candidate in the columns. */
  row: number;
  score: number;
}

/**
 * The best `count` candidates, best first, with their scores. The order is total: score, then
 * the newer, then the id, so every page of a query cuts the same list.
 */
export function rankTop(columns: RankColumns, nowMs: number, count: number): Ranked[] {
  const { size, words, weights, atMs } = columns;
  const idf = new Float64Array(words);
  for (let w = 0; w < words; w++) {
    let df = 0;
    for (let i = 0; i < size; i++) if ((weights[i * words + w] ?? 0) > 0) df++;
    idf[w] = Math.log(1 + size / Math.max(1, df));
  }
  const scores = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    let text = 0;
    let matched = 0;
    for (let w = 0; w < words; w++) {
      const weight = weights[i * words + w] ?? 0;
      if (weight > 0) {
        matched++;
        text += weight * (idf[w] ?? 0);
      }
    }
    const coverage = matched / Math.max(1, words);
    const at = atMs[i] ?? NaN;
    const recency = Number.isNaN(at) ? 0 : RECENCY_WEIGHT / (1 + Math.abs(nowMs - at) / DAY_MS / 30);
    scores[i] = text * (0.5 + 0.5 * coverage) + recency;
  }
  const ids = new Map<number, string>();
  const idOf = (i: number): string => {
    let id = ids.get(i);
    if (id === undefined) ids.set(i, (id = columns.id(i)));
    return id;
  };
  // Negative when row a ranks before row b.
  const order = (a: number, b: number): number => {
    const byScore = (scores[b] ?? 0) - (scores[a] ?? 0);
    if (byScore !== 0) return byScore;
    const byTime = timeOf(atMs[b]) - timeOf(atMs[a]);
    if (byTime !== 0) return byTime;
    return idOf(a) < idOf(b) ? -1 : 1;
  };
  const keep = Math.max(0, Math.min(count, size));
  let best: number[];
  if (keep * 4 >= size) {
    best = Array.from({ length: size }, (_, i) => i).sort(order).slice(0, keep);
  } else {
    best = worstFirstHeap(size, keep, order).sort(order);
  }
  return best.map((row) => ({ row, score: scores[row] ?? 0 }));
}

/** A person has no time; ties among equal scores put them after dated candidates, as new Date(0) did. */
function timeOf(at: number | undefined): number {
  return at === undefined || Number.isNaN(at) ? 0 : at;
}

/** The `keep` best rows of 0..size-1 under `order`, in no particular order (a max-heap on "worse"). */
function worstFirstHeap(size: number, keep: number, order: (a: number, b: number) => number): number[] {
  const heap: number[] = [];
  if (keep === 0) return heap;
  // heap[0] is the worst kept row: order(heap[0], x) >= 0 for every kept x.
  const worse = (a: number, b: number): boolean => order(a, b) > 0;
  const siftUp = (at: number): void => {
    let i = at;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!worse(heap[i] ?? 0, heap[parent] ?? 0)) return;
      [heap[i], heap[parent]] = [heap[parent] ?? 0, heap[i] ?? 0];
      i = parent;
    }
  };
  const siftDown = (): void => {
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < heap.length && worse(heap[left] ?? 0, heap[worst] ?? 0)) worst = left;
      if (right < heap.length && worse(heap[right] ?? 0, heap[worst] ?? 0)) worst = right;
      if (worst === i) return;
      [heap[i], heap[worst]] = [heap[worst] ?? 0, heap[i] ?? 0];
      i = worst;
    }
  };
  for (let row = 0; row < size; row++) {
    if (heap.length < keep) {
      heap.push(row);
      siftUp(heap.length - 1);
    } else if (order(row, heap[0] ?? 0) < 0) {
      heap[0] = row;
      siftDown();
    }
  }
  return heap;
}

/** Every candidate ranked, best first (the reference the ranking tests read). */
export function rank<C extends { weights: number[]; at: Date; type: string; id: string }>(candidates: C[], words: ReadonlyArray<unknown>, now: Date): Array<{ c: C; score: number }> {
  const columns = columnsOf(candidates, words.length);
  return rankTop(columns, now.getTime(), candidates.length).map(({ row, score }) => ({ c: candidates[row] as C, score }));
}

/** Columns for candidates held as objects. */
export function columnsOf(candidates: ReadonlyArray<{ weights: number[]; at: Date; type: string; id: string }>, words: number): RankColumns {
  const weights = new Uint8Array(candidates.length * words);
  const atMs = new Float64Array(candidates.length);
  candidates.forEach((c, i) => {
    for (let w = 0; w < words; w++) weights[i * words + w] = c.weights[w] ?? 0;
    atMs[i] = c.type === 'person' ? NaN : c.at.getTime();
  });
  return { size: candidates.length, words, weights, atMs, id: (i) => candidates[i]?.id ?? '' };
}
