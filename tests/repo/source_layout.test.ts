// Facts anyone can check from the imports: no import circle in src/, and
// src/adapters/ holds entry points only (each one a deno.json export).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const src = join(root, "src");

function sourceFiles(folder: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (name.endsWith(".ts")) files.push(path);
  }
  return files;
}

// Relative specifiers of `import ... from`, `export ... from` and `import("...")`, types included.
const SPECIFIER =
  /(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s*["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const match of text.matchAll(SPECIFIER)) {
    found.push(resolve(dirname(file), match[1] ?? match[2]));
  }
  return found;
}

/** Every import circle among `files`, each as the list of files around it. */
function circlesOf(files: string[]): string[][] {
  const graph = new Map(
    files.map((file) => [file, importsOf(file).filter((to) => to.startsWith(src))]),
  );
  const circles: string[][] = [];
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, "visiting");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "visiting") circles.push(stack.slice(stack.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return circles;
}

test("src/ has no import circle, type-only imports included", () => {
  const circles = circlesOf(sourceFiles(src)).map((circle) =>
    circle.map((file) => relative(root, file)).join(" -> ")
  );
  assert.deepEqual(circles, []);
});

test("src/adapters/ holds only entry points, each a deno.json export", () => {
  const exports = Object.values(
    JSON.parse(readFileSync(join(root, "deno.json"), "utf8")).exports as Record<string, string>,
  ).map((path) => resolve(root, path));
  const adapters = sourceFiles(join(src, "adapters"));
  const notEntryPoints = adapters.filter((file) => !exports.includes(file));
  assert.deepEqual(notEntryPoints.map((file) => relative(root, file)), []);
});
