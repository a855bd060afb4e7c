// Parses every ```mermaid block of the Markdown files named on the command line with the mermaid
// package, as GitHub would before rendering; prints one line per block and exits 1 on any error.
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

// mermaid sanitizes labels with DOMPurify, which needs a DOM: jsdom's, without any network.
const { window } = new JSDOM("<!DOCTYPE html><body></body>");
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import("mermaid");

let failed = 0;
for (const file of process.argv.slice(2)) {
  const blocks = [...readFileSync(file, "utf8").matchAll(/```mermaid\n([\s\S]*?)```/g)];
  if (blocks.length === 0) {
    console.log(`${file}: no mermaid block`);
  }
  for (const [, text] of blocks) {
    try {
      const result = await mermaid.parse(text);
      console.log(`${file}: ok ${result.diagramType}`);
    } catch (e) {
      failed++;
      console.log(`${file}: error ${String(e.message ?? e).split("\n")[0]}`);
    }
  }
}
process.exit(failed ? 1 : 0);
