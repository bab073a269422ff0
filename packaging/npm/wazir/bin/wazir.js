#!/usr/bin/env node
// Runs the prebuilt wazir binary of this platform, installed by npm as one of this package's
// optional dependencies (@wazir/cli-<os>-<cpu>), with the same arguments, streams and exit code.
"use strict";
const { spawnSync } = require("node:child_process");
const path = require("node:path");

const pkg = `@wazir/cli-${process.platform}-${process.arch}`;
const exe = process.platform === "win32" ? "wazir.exe" : "wazir";
let bin;
try {
  bin = require.resolve(`${pkg}/bin/${exe}`);
} catch {
  console.error(
    `wazir: no prebuilt binary for ${process.platform}-${process.arch} (the package ${pkg} ` +
      "is not installed). Reinstall without --no-optional / --omit=optional, or install from " +
      "source: cargo install --locked --path crates/wazir"
  );
  process.exit(1);
}
const r = spawnSync(bin, process.argv.slice(2), { stdio: "inherit" });
if (r.error) {
  console.error(`wazir: cannot run ${path.normalize(bin)}: ${r.error.message}`);
  process.exit(1);
}
process.exit(r.status === null ? 1 : r.status);
