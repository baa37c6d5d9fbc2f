/**
 * @hashhound/testkit: contract suites per plugin kind, makeFromYaml, the golden-case runner
 * (with source totals for file-source cases; QC cases over in-memory datasets), batch and
 * TestClock helpers, the fixture locator, `hasCommand` (is a Debian tool installed) and
 * `splitCapture` (a capture cut into the pieces a rotating capture writes). Used by tests only.
 */
export * from "./fixtures.js"
export * from "./commands.js"
export * from "./batches.js"
export * from "./clock.js"
export * from "./yaml-stage.js"
export * from "./golden-compare.js"
export * from "./golden.js"
export * from "./qc-golden.js"
export * from "./source-golden.js"
export * from "./contracts/check.js"
export * from "./contracts/plugin.js"
export * from "./contracts/made-stage.js"
export * from "./contracts/source-read.js"
export * from "./contracts/source.js"
export * from "./contracts/qc.js"
export * from "./contracts/labeler.js"
export * from "./contracts/features.js"
export * from "./contracts/features-sql.js"
export * from "./contracts/report.js"
export * from "./contracts/model.js"
export * from "./readme-columns.js"
export * from "./html-scan.js"
export * from "./report-browser.js"
export * from "./split-capture.js"
