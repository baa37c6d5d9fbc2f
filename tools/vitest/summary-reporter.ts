/**
 * A vitest reporter that ends the run with one plain line, `tests: N passed, N failed, N skipped`,
 * which CI reads as the closing summary whatever the runner.
 */
import type { RunnerTask, RunnerTestFile } from "vitest"
import type { Reporter } from "vitest/node"

const tally = (tasks: ReadonlyArray<RunnerTask>, counts: { passed: number; failed: number; skipped: number }): void => {
  for (const task of tasks) {
    if (task.type === "suite") {
      if (task.tasks.length === 0 && task.result?.state === "fail") counts.failed++
      tally(task.tasks, counts)
      continue
    }
    const state = task.result?.state
    if (state === "pass") counts.passed++
    else if (state === "fail") counts.failed++
    else counts.skipped++
  }
}

export default class SummaryReporter implements Reporter {
  onFinished(files: ReadonlyArray<RunnerTestFile> = [], errors: ReadonlyArray<unknown> = []): void {
    const counts = { passed: 0, failed: errors.length, skipped: 0 }
    tally(files, counts)
    process.stdout.write(`\ntests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`)
  }
}
