/**
 * The generator's priority queue: a binary min-heap of scheduled events ordered by time, ties
 * broken by insertion order so that a run is deterministic.
 *
 * Holds: `EventQueue`, storing caller-owned event objects (the engine pools them, so a steady
 * run allocates nothing per packet).
 * Does not hold: what the events mean (see `engine.ts` and `tcp.ts`).
 */

export interface Scheduled {
  /** µs from the start of the capture */
  time: number
  /** insertion counter, set by the queue */
  order: number
}

export class EventQueue<T extends Scheduled> {
  private readonly heap: Array<T> = []
  private counter = 0

  get size(): number {
    return this.heap.length
  }

  peek(): T | undefined {
    return this.heap[0]
  }

  push(item: T): void {
    item.order = this.counter++
    const heap = this.heap
    heap.push(item)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      const p = heap[parent]!
      if (p.time < item.time || (p.time === item.time && p.order < item.order)) break
      heap[i] = p
      i = parent
    }
    heap[i] = item
  }

  pop(): T | undefined {
    const heap = this.heap
    const top = heap[0]
    if (top === undefined) return undefined
    const last = heap.pop()!
    if (heap.length === 0) return top
    let i = 0
    const n = heap.length
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      let c = l
      const lc = heap[l]!
      if (r < n) {
        const rc = heap[r]!
        if (rc.time < lc.time || (rc.time === lc.time && rc.order < lc.order)) c = r
      }
      const child = heap[c]!
      if (last.time < child.time || (last.time === child.time && last.order < child.order)) break
      heap[i] = child
      i = c
    }
    heap[i] = last
    return top
  }
}
