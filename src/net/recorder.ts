// src/net/recorder.ts — keeps the exchanges an engine made: all of them (default), the last N, or only a count.
import type { Exchange } from '../core/index.js';

/**
 * How much the recorder keeps. `all` (default) keeps every exchange for the scan's findings; `{ ring: n }` keeps the
 * last n (long soaks, benchmarks); `counts` keeps none (ids still advance; `exchange(id)` finds nothing).
 */
export type RecordMode = 'all' | 'counts' | { ring: number };

export interface Recorder {
  /** Gives the exchange its id and stores it according to the mode. An `id` already present is overwritten in place. */
  add(x: Omit<Exchange, 'id'> | Exchange): Exchange;
  get(id: string): Exchange | undefined;
  list(): readonly Exchange[];
  /**
   * Puts back exchanges of an earlier run of the same scan, ids kept; later ids continue after the highest one, or
   * after `after` (the earlier runs' last id, so ids in the appended audit log stay unique) when that is higher.
   */
  restore(list: readonly Exchange[], after?: number): void;
  readonly count: number;
}

/** '000' .. '999'. */
const DIGITS3: string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

export function createRecorder(mode: RecordMode = 'all'): Recorder {
  let n = 0;
  // Ids are `x` and six digits (`x000042`), more past a million. Built from a cached thousands prefix and a
  // precomputed three-digit suffix: no number-to-string conversion per exchange.
  let prefixOf = -1;
  let prefix = '';
  const nextId = (): string => {
    n++;
    if (n >= 1_000_000) return `x${n}`;
    const k = (n / 1000) | 0;
    if (k !== prefixOf) {
      prefixOf = k;
      prefix = `x${String(k).padStart(3, '0')}`;
    }
    return prefix + DIGITS3[n % 1000]!;
  };
  // The engine builds exchanges with `id: ''` first (so ids serialize first) and we fill it in without copying.
  const withId = (x: Omit<Exchange, 'id'> | Exchange): Exchange => {
    if ('id' in x) {
      x.id = nextId();
      return x;
    }
    return { id: nextId(), ...x };
  };
  const bump = (list: readonly Exchange[], after = 0): void => {
    if (after > n) n = after;
    for (const x of list) {
      const i = Number(x.id.slice(1));
      if (Number.isInteger(i) && i > n) n = i;
    }
  };
  if (mode === 'counts') {
    return {
      add: withId,
      restore: bump,
      get: () => undefined,
      list: () => [],
      get count() {
        return n;
      },
    };
  }
  if (mode === 'all') {
    const all: Exchange[] = [];
    const byId = new Map<string, Exchange>();
    return {
      add(x) {
        const ex = withId(x);
        all.push(ex);
        byId.set(ex.id, ex);
        return ex;
      },
      get: (id) => byId.get(id),
      list: () => all,
      restore(list, after) {
        for (const x of list) {
          all.push(x);
          byId.set(x.id, x);
        }
        bump(list, after);
      },
      get count() {
        return n;
      },
    };
  }
  const size = Math.max(1, mode.ring);
  const ring: Array<Exchange | undefined> = new Array<Exchange | undefined>(size);
  return {
    add(x) {
      const ex = withId(x);
      ring[(n - 1) % size] = ex;
      return ex;
    },
    restore: bump,
    get(id) {
      const i = Number(id.slice(1));
      if (!Number.isInteger(i) || i <= 0 || i > n || n - i >= size) return undefined;
      return ring[(i - 1) % size];
    },
    list() {
      const out: Exchange[] = [];
      for (let i = Math.max(1, n - size + 1); i <= n; i++) {
        const ex = ring[(i - 1) % size];
        if (ex) out.push(ex);
      }
      return out;
    },
    get count() {
      return n;
    },
  };
}
