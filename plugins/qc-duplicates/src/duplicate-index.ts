/**
 * Dataset-wide duplicate analysis over every stored batch: copies across batches, and how much
 * each pair of captures shares (two captures with the same flows are one capture ingested twice).
 *
 * Holds: `DuplicateIndex` (add a batch's fingerprints for a capture; 16 bytes per flow) and
 * `analyse`, which sorts row numbers by (fingerprint, batch) and walks runs of equal
 * fingerprints once.
 * Does not hold: fingerprinting (`fingerprint.ts`) or thresholds (`index.ts`).
 */

export interface CapturePair {
  readonly a: string
  readonly b: string
  /** distinct fingerprints both captures hold */
  readonly shared: number
  /** shared / the smaller capture's distinct fingerprints */
  readonly share: number
  /** same distinct fingerprints and the same number of rows */
  readonly identical: boolean
}

export interface DuplicateAnalysis {
  /** fingerprinted rows */
  readonly rows: number
  /** rows beyond the first of each fingerprint, anywhere in the dataset */
  readonly duplicates: number
  /** of those, copies found in a batch other than the first copy's */
  readonly acrossBatches: number
  /** capture pairs sharing at least one fingerprint, most shared first */
  readonly pairs: ReadonlyArray<CapturePair>
}

export class DuplicateIndex {
  private prints = new Float64Array(4096)
  private groups = new Int32Array(4096)
  private size = 0
  private readonly captureOfGroup: Array<number> = []
  private readonly captureNames: Array<string> = []
  private readonly captureIds = new Map<string, number>()

  /** Add one batch's fingerprints (NaN entries are skipped) as one group of `capture`. */
  add(capture: string, prints: Float64Array): void {
    let captureId = this.captureIds.get(capture)
    if (captureId === undefined) {
      captureId = this.captureNames.length
      this.captureIds.set(capture, captureId)
      this.captureNames.push(capture)
    }
    const group = this.captureOfGroup.length
    this.captureOfGroup.push(captureId)
    for (let i = 0; i < prints.length; i++) {
      const p = prints[i]!
      if (Number.isNaN(p)) continue
      if (this.size === this.prints.length) {
        const grownPrints = new Float64Array(this.size * 2)
        grownPrints.set(this.prints)
        const grownGroups = new Int32Array(this.size * 2)
        grownGroups.set(this.groups)
        this.prints = grownPrints
        this.groups = grownGroups
      }
      this.prints[this.size] = p
      this.groups[this.size] = group
      this.size++
    }
  }

  analyse(): DuplicateAnalysis {
    const n = this.size
    const prints = this.prints
    const groups = this.groups
    const order = new Uint32Array(n)
    for (let i = 0; i < n; i++) order[i] = i
    order.sort((x, y) => prints[x]! - prints[y]! || groups[x]! - groups[y]!)
    const captures = this.captureNames.length
    const distinct = new Float64Array(captures)
    const rowsOf = new Float64Array(captures)
    const shared = new Map<number, number>()
    let duplicates = 0
    let acrossBatches = 0
    let start = 0
    const inRun: Array<number> = []
    while (start < n) {
      let end = start + 1
      while (end < n && prints[order[end]!] === prints[order[start]!]) end++
      let distinctGroups = 1
      inRun.length = 0
      for (let k = start; k < end; k++) {
        const group = groups[order[k]!]!
        if (k > start && group !== groups[order[k - 1]!]) distinctGroups++
        const capture = this.captureOfGroup[group]!
        rowsOf[capture]! += 1
        if (!inRun.includes(capture)) inRun.push(capture)
      }
      duplicates += end - start - 1
      acrossBatches += distinctGroups - 1
      for (const capture of inRun) distinct[capture]! += 1
      for (let i = 0; i < inRun.length; i++)
        for (let j = i + 1; j < inRun.length; j++) {
          const a = Math.min(inRun[i]!, inRun[j]!)
          const b = Math.max(inRun[i]!, inRun[j]!)
          const key = a * captures + b
          shared.set(key, (shared.get(key) ?? 0) + 1)
        }
      start = end
    }
    const pairs: Array<CapturePair> = []
    for (const [key, count] of shared) {
      const a = Math.floor(key / captures)
      const b = key % captures
      const smaller = Math.min(distinct[a]!, distinct[b]!)
      pairs.push({
        a: this.captureNames[a]!,
        b: this.captureNames[b]!,
        shared: count,
        share: smaller === 0 ? 0 : count / smaller,
        identical: count === distinct[a] && count === distinct[b] && rowsOf[a] === rowsOf[b]
      })
    }
    pairs.sort((x, y) => y.share - x.share || y.shared - x.shared || x.a.localeCompare(y.a) || x.b.localeCompare(y.b))
    return { rows: n, duplicates, acrossBatches, pairs }
  }
}
