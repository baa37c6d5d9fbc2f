/**
 * The CLI's QC summary table: counts per dataset and check, worst check first, totals, cut
 * messages, and control / escape / bidi characters from traffic never reaching the terminal.
 */
import { Finding } from "@hashhound/core"
import { describe, expect, it } from "vitest"
import { qcSummaryTable, terminalSafe } from "../src/qc-summary.js"

const f = (source: string, severity: "info" | "warn" | "fail", message: string) => new Finding({ source, code: "threshold", severity, message })

describe("qcSummaryTable", () => {
  it("counts findings per dataset and check, worst first, with a total row", () => {
    const table = qcSummaryTable({
      campus: [
        f("qc.volume", "info", "qc.volume: flows 10 (dataset)"),
        f("qc.timestamps", "warn", "qc.timestamps: longest gap 4000 above warn threshold gap_s_above=3600 (capture a.pcap)"),
        f("qc.volume", "fail", "qc.volume: zero-payload share 0.95 above fail threshold zero_payload_share_above=0.9 (capture a.pcap, batch 3)")
      ],
      lab: [f("qc.volume", "info", "qc.volume: flows 99 (dataset)")]
    }, { maxMessageChars: 200 })
    expect(table.split("\n")).toEqual([
      "dataset  check          fail  warn  info  status  worst finding",
      "campus   qc.volume         1     0     1  FAIL    qc.volume: zero-payload share 0.95 above fail threshold zero_payload_share_above=0.9 (capture a.pcap, batch 3)",
      "campus   qc.timestamps     0     1     0  warn    qc.timestamps: longest gap 4000 above warn threshold gap_s_above=3600 (capture a.pcap)",
      "campus   (all)             1     1     1  FAIL",
      "lab      qc.volume         0     0     1  pass",
      "lab      (all)             0     0     1  pass"
    ])
  })

  it("cuts long messages and cleans terminal escapes, newlines and bidi overrides", () => {
    const hostile = f("qc.schema", "fail", "SNI \u001b[2J\u001b]0;pwned\u0007evil\r\nnext line \u202Egnp.exe")
    const table = qcSummaryTable(new Map([["d", [hostile]]]), { maxMessageChars: 38 })
    for (const line of table.split("\n")) expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/)
    expect(table.split("\n")).toHaveLength(3)
    expect(table.split("\n")[1]).toBe("d        qc.schema     1     0     0  FAIL    SNI [2J ]0;pwned evil next line gnp.e…")
    expect(terminalSafe("a\tb\u0085c")).toBe("a b c")
    expect(qcSummaryTable({})).toBe("no QC findings")
  })
})
