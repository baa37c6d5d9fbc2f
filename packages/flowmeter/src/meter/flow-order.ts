/**
 * The deterministic order in which open flows end at the end of a capture: by first_seen,
 * then by key words.
 *
 * Holds: `FlowRowsOrder.sortedSlots` over the store's live slots.
 * Does not hold: the ending itself (see `flow-meter.ts`).
 */
import { KEY_WORDS, type FlowStore } from "./flow-store.js"

export class FlowRowsOrder {
  constructor(private readonly store: FlowStore) {}

  /** Live slots sorted by (firstTs, key). */
  sortedSlots(): Array<number> {
    const store = this.store
    const live: Array<number> = []
    for (let s = 0; s < store.capacity; s++) if (store.inUse[s] === 1) live.push(s)
    const first = store.f.firstTs
    const keys = store.keys
    live.sort((a, b) => {
      const d = first[a]! - first[b]!
      if (d !== 0) return d
      for (let w = 0; w < KEY_WORDS; w++) {
        const x = keys[a * KEY_WORDS + w]!
        const y = keys[b * KEY_WORDS + w]!
        if (x !== y) return x - y
      }
      return 0
    })
    return live
  }
}
