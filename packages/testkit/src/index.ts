/**
 * @hashhound/testkit: contract suites per plugin kind, makeFromYaml, the golden-case runner and
 * the fixture locator. Used by tests only.
 */
export * from "./fixtures.js"
