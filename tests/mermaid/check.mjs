// Parse each file named on the command line with Mermaid's own parser; print "FILE: ok" or "FILE: ERROR"
// followed by the parser's message, and exit 1 when any file fails. Mermaid needs a DOM for its sanitizer:
// jsdom provides one, so no browser is involved.
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");

let failed = false;
for (const path of process.argv.slice(2)) {
  try {
    const result = await mermaid.parse(readFileSync(path, "utf8"));
    console.log(`${path}: ok ${result.diagramType}`);
  } catch (error) {
    failed = true;
    console.log(`${path}: ERROR ${error.message}`);
  }
}
process.exit(failed ? 1 : 0);
