export * from "./files.js"
