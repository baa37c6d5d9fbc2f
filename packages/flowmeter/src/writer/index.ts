/**
 * Capture writing: the streaming classic-pcap writer, the reusable-buffer packet builder
 * (Ethernet/IPv4/IPv6/TCP/UDP with checksums), TCP option layouts and the Internet checksum.
 *
 * Holds: the public API of `writer/`, re-exported by the package index.
 * Does not hold: reading captures (see `capture/`) or any traffic simulation (that lives in
 * the `source.synthetic` plugin).
 */
export * from "./checksum.js"
export * from "./packet-builder.js"
export * from "./pcap-writer.js"
export * from "./tcp-options.js"
