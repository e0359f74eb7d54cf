// What pdf.js (the reader of Firefox and of many web viewers) sees of a tagged PDF.
// Usage: node tests/tools/pdfjs_structure.mjs FILE [PASSWORD]
// Prints one JSON object: the title and language it reads, the roles of each page's
// structure tree (pdf.js returns null for an untagged page) and the alt texts of figures.
import { readFileSync } from "node:fs";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

const [file, password] = process.argv.slice(2);
const data = new Uint8Array(readFileSync(file));
const doc = await getDocument({ data, password, verbosity: 0, isEvalSupported: false }).promise;
const meta = await doc.getMetadata();
const markInfo = await doc.getMarkInfo();

function roles(node, out) {
  if (!node || typeof node !== "object") return;
  if (node.role) out.roles.push(node.role);
  if (node.role === "Figure") out.alts.push(node.alt ?? null);
  for (const child of node.children ?? []) roles(child, out);
}

const pages = [];
for (let n = 1; n <= doc.numPages; n++) {
  const page = await doc.getPage(n);
  const tree = await page.getStructTree();
  const out = { tagged: tree !== null, roles: [], alts: [] };
  roles(tree, out);
  pages.push(out);
}
console.log(JSON.stringify({
  pages: doc.numPages,
  marked: markInfo?.Marked ?? false,
  title: meta.info?.Title ?? null,
  xmpTitle: meta.metadata?.get("dc:title") ?? null,
  language: meta.info?.Language ?? null,
  structure: pages,
}));
await doc.destroy();
