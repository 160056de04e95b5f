// Type-checks every ```ts block of README.md against the package's own entry points, so the
// snippets a new user copies compile against the public API as it is:
//
//   node_modules/.bin/node scripts/check_readme.ts
//
// Each block becomes a module in a scratch directory at the root (where deno.json makes
// `@omnisocket/core` resolve to this package). npm specifiers (`omnisocket/node`) are read as
// their JSR twins (`@omnisocket/core/node`): the same files. A block whose first line is a
// comment naming a file (`// handler.ts — ...`) is written under that name, so later blocks can
// import it. Blocks fenced as ```ts ignore are skipped.
//
// First, the README's API section must name exactly what each entry point of deno.json exports
// (as `deno doc` lists it): its tables and lists are the promise of what is public.

import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const scratch = join(root, ".readme-check");
const deno = join(root, "node_modules", ".bin", "deno");

const readme = readFileSync(join(root, "README.md"), "utf8");
checkApiSection(readme);
const blocks = extractBlocks(readme);
rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch);
try {
  const files = blocks.map((block, index) => {
    const named = /^\/\/ ([\w.-]+\.ts)\b/.exec(block.code);
    const name = named
      ? named[1]
      : `block_${String(index + 1).padStart(2, "0")}_line_${block.line}.ts`;
    writeFileSync(
      join(scratch, name),
      block.code.replace(/(["'])omnisocket(?=["/])/g, "$1@omnisocket/core"),
    );
    return join(".readme-check", name);
  });
  console.log(`README.md: ${files.length} ts blocks to check`);
  const result = spawnSync(deno, ["check", ...files], { cwd: root, stdio: "inherit" });
  process.exitCode = result.status ?? 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

function extractBlocks(markdown: string): { line: number; code: string }[] {
  const found: { line: number; code: string }[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\S*)(.*)$/.exec(lines[i]);
    if (!fence || fence[1] === "") continue;
    const end = lines.indexOf("```", i + 1);
    if (end === -1) break;
    const lang = fence[1];
    const ignored = /\bignore\b/.test(fence[2]);
    if ((lang === "ts" || lang === "typescript") && !ignored) {
      found.push({ line: i + 1, code: lines.slice(i + 1, end).join("\n") + "\n" });
    }
    i = end;
  }
  return found;
}

/** Compares the names README's "## The API" section gives each entry point with `deno doc`'s. */
function checkApiSection(markdown: string): void {
  const start = markdown.indexOf("\n## The API\n");
  const section = markdown.slice(start, markdown.indexOf("\nHooks (all optional)", start));
  const listed = new Map<string, Set<string>>();
  const add = (subpath: string, text: string) => {
    const names = listed.get(subpath) ?? new Set<string>();
    for (const [, name] of text.matchAll(/`([A-Za-z_][\w]*)`/g)) names.add(name);
    listed.set(subpath, names);
  };
  for (const line of section.split("\n")) {
    const cells = line.split("|").map((cell) => cell.trim());
    if (line.includes("`@omnisocket/core`")) continue; // a table's header row
    if (line.startsWith("| `") && cells[1].startsWith("`/")) {
      add(`.${cells[1].slice(1, -1)}`, cells[2]);
    } else if (line.startsWith("| `")) add(".", cells[1]);
    else if (/^- [a-z]+: /.test(line) || /^ {2}`/.test(line)) add("./protocol", line);
  }
  const exportsMap = JSON.parse(readFileSync(join(root, "deno.json"), "utf8")).exports as Record<
    string,
    string
  >;
  const problems: string[] = [];
  for (const [subpath, file] of Object.entries(exportsMap)) {
    const doc = spawnSync(deno, ["doc", "--json", file], { cwd: root, encoding: "utf8" });
    const nodes = JSON.parse(doc.stdout).nodes as Record<string, { symbols: { name: string }[] }>;
    const actual = new Set(Object.values(nodes)[0].symbols.map((symbol) => symbol.name));
    const named = listed.get(subpath) ?? new Set<string>();
    const missing = [...actual].filter((name) => !named.has(name));
    const extra = [...named].filter((name) => !actual.has(name));
    if (missing.length) {
      problems.push(`${subpath}: exported but not in README: ${missing.join(", ")}`);
    }
    if (extra.length) problems.push(`${subpath}: in README but not exported: ${extra.join(", ")}`);
    console.log(`${subpath}: ${actual.size} public names`);
  }
  if (problems.length) {
    console.error(
      `README.md's API section is out of step with the exports:\n${problems.join("\n")}`,
    );
    process.exit(1);
  }
}
