/**
 * The captures kept in test-fixtures/flowmeter are exactly what their builder makes.
 */
import { it } from "@effect/vitest"
import { projectFixture } from "@hashhound/testkit"
import { Effect } from "effect"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import { describe, expect } from "vitest"
import { collectCapture } from "./helpers/collect.js"
import { PROJECT_CAPTURES } from "./helpers/project-captures.js"

describe("test-fixtures/flowmeter (captures the project makes itself)", () => {
  for (const [name, make] of PROJECT_CAPTURES) {
    it.effect(`${name} is what the builder makes (HASHHOUND_UPDATE_GOLDEN=1 rewrites it) and reads`, () =>
      Effect.gen(function* () {
        const path = projectFixture(`flowmeter/${name}`)
        const bytes = make()
        if (process.env["HASHHOUND_UPDATE_GOLDEN"] === "1" || !existsSync(path)) {
          mkdirSync(dirname(path), { recursive: true })
          writeFileSync(path, bytes)
        }
        expect(readFileSync(path).equals(bytes)).toBe(true)
        const { flows } = yield* collectCapture(path)
        expect(flows.length).toBeGreaterThan(0)
      }))
  }
})
