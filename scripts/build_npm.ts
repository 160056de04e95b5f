// Builds the npm package `omnisocket` into npm/ from the same sources JSR publishes, then tests
// the build: dnt's job, done with the TypeScript compiler from npm because JSR is unreachable.
//
//   node_modules/.bin/node scripts/build_npm.ts [--skip-tests] [--check] [--node PATH]
//
//   --skip-tests  only build the package
//   --check       also run publint and attw (esm-only profile) on the package
//   --node PATH   the Node that runs the tests against the build (default: $NODE20, then the
//                 Node that npm runs on, then `node`), so the oldest supported Node is exercised
//
// Steps: compile every module reachable from deno.json's `exports` to npm/esm (ES2022 JS with
// `.ts` specifiers rewritten to `.js`, plus `.d.ts`), keeping the source tree; refuse Node/Deno/Bun
// globals outside src/adapters/ and src/runtime/; check that the published types compile without the build-only
// ambient types; write npm/package.json; copy README.md and LICENSE; load every export on the test
// Node; compile tests/unit and tests/build into npm/test_build, whose package modules are symlinks
// into npm/esm so the tests exercise the built files; run them with `node --test`; delete them.

import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const PACKAGE_NAME = "omnisocket";
const DESCRIPTION = "One WebSocket server library for every JavaScript runtime: RFC 6455 " +
  "over Web APIs, with adapters for Node, Deno, Bun and Cloudflare Workers. Zero dependencies.";
const KEYWORDS = [
  "websocket",
  "websocket-server",
  "rfc6455",
  "ws",
  "node",
  "deno",
  "bun",
  "cloudflare-workers",
  "sans-io",
];
const MIN_NODE = "20";
/** Brokers a subpath builds on (the user installs the one they use): name -> version range. */
const OPTIONAL_PEERS: Record<string, string> = {
  redis: "^6.3.1",
  "@opentelemetry/api": "^1.9.0",
};
/** How doc examples name the package on JSR, and how npm users import it. */
const JSR_SPECIFIER = '"@omnisocket/core';
const NPM_SPECIFIER = '"omnisocket';
/** Where test files are looked for; each `*.test.ts` below them runs against the build. */
const TEST_DIRS = ["tests/unit", "tests/build"];
/** The only places runtime globals and `node:*` modules are allowed: entry points and runtime plumbing. */
const RUNTIME_DIRS = ["src/adapters/", "src/runtime/"];

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "npm");
const esmDir = join(outDir, "esm");
const testDir = join(outDir, "test_build");
/** Build-only ambient declarations (e.g. runtime globals for adapters); never emitted. */
const ambientTypesDir = join(root, "scripts", "build_types");

interface Flags {
  skipTests: boolean;
  check: boolean;
  node: string;
}

/** One `exports` entry: "." or "./x", and its source file relative to the root ("mod.ts"). */
interface Entry {
  subpath: string;
  source: string;
}

/** What the compiler wrote: paths relative to the output directory. */
interface Emitted {
  files: string[];
}

class BuildError extends Error {}

main();

function main(): void {
  try {
    const flags = parseFlags(process.argv.slice(2));
    const started = performance.now();
    const { version, entries } = readDenoJson();

    rmSync(outDir, { recursive: true, force: true });
    const emitted = compilePackage(entries);
    checkPublishedTypes(entries);
    writePackageJson(version, entries);
    copyDocs();
    step(`npm/: ${PACKAGE_NAME}@${version}, ${emitted.files.length} files in esm/`);

    if (!flags.skipTests) {
      loadEveryExport(entries, flags.node);
      runTestsAgainstBuild(flags.node);
    }
    if (flags.check) runPackageLinters();
    printSummary(emitted, performance.now() - started);
  } catch (error) {
    if (!(error instanceof BuildError)) throw error;
    console.error(`\nbuild_npm: ${error.message}`);
    process.exit(1);
  }
}

function parseFlags(args: string[]): Flags {
  const flags: Flags = {
    skipTests: false,
    check: false,
    node: process.env.NODE20 || process.env.npm_node_execPath || "node",
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--skip-tests") flags.skipTests = true;
    else if (arg === "--check") flags.check = true;
    else if (arg === "--node" && i + 1 < args.length) flags.node = args[++i];
    else if (arg.startsWith("--node=")) flags.node = arg.slice("--node=".length);
    else throw new BuildError(`Cannot parse arguments: unknown or incomplete option "${arg}"`);
  }
  return flags;
}

function readDenoJson(): { version: string; entries: Entry[] } {
  const config = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));
  if (typeof config.version !== "string" || !/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(config.version)) {
    throw new BuildError("Cannot read deno.json: `version` must be a semver string");
  }
  const exportsMap: unknown = typeof config.exports === "string"
    ? { ".": config.exports }
    : config.exports;
  if (typeof exportsMap !== "object" || exportsMap === null) {
    throw new BuildError("Cannot read deno.json: `exports` must be a string or an object");
  }
  const entries: Entry[] = [];
  for (const [subpath, target] of Object.entries(exportsMap)) {
    if (subpath !== "." && !subpath.startsWith("./")) {
      throw new BuildError(`Cannot read deno.json: export "${subpath}" must be "." or "./name"`);
    }
    if (typeof target !== "string" || !target.startsWith("./") || !target.endsWith(".ts")) {
      throw new BuildError(`Cannot read deno.json: export "${subpath}" must map to a ./file.ts`);
    }
    const source = target.slice(2);
    if (!existsSync(join(root, source))) {
      throw new BuildError(`Cannot read deno.json: export "${subpath}" names missing ${target}`);
    }
    entries.push({ subpath, source });
  }
  if (!entries.some((entry) => entry.subpath === ".")) {
    throw new BuildError('Cannot read deno.json: `exports` needs a "." entry');
  }
  return { version: config.version, entries };
}

/** Compiler options shared by the package and the test build. */
function compilerOptions(overrides: ts.CompilerOptions): ts.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    // ES2023 is what Node 20 implements; a newer API in the sources fails here, not on users.
    lib: ["lib.es2023.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
    types: ["node"],
    strict: true,
    verbatimModuleSyntax: true,
    erasableSyntaxOnly: true,
    allowImportingTsExtensions: true,
    rewriteRelativeImportExtensions: true,
    skipLibCheck: true,
    noEmitOnError: true,
    newLine: ts.NewLineKind.LineFeed,
    rootDir: root,
    ...overrides,
  };
}

function ambientTypeFiles(): string[] {
  if (!existsSync(ambientTypesDir)) return [];
  return readdirSync(ambientTypesDir)
    .filter((name) => name.endsWith(".d.ts"))
    .sort()
    .map((name) => join(ambientTypesDir, name));
}

function compilePackage(entries: Entry[]): Emitted {
  const roots = entries.map((entry) => join(root, entry.source));
  const program = ts.createProgram({
    rootNames: [...roots, ...ambientTypeFiles()],
    options: compilerOptions({ outDir: esmDir, declaration: true }),
  });
  failOnDiagnostics("type-check the package", ts.getPreEmitDiagnostics(program));
  checkWebOnly(program);

  const files: string[] = [];
  const writeFile: ts.WriteFileCallback = (fileName, text) => {
    const path = resolve(fileName);
    if (!path.startsWith(esmDir + sep)) {
      throw new BuildError(`Cannot emit ${fileName}: it falls outside npm/esm`);
    }
    mkdirSync(dirname(path), { recursive: true });
    // Doc examples import the JSR name; on npm the same modules are `omnisocket`.
    writeFileSync(
      path,
      path.endsWith(".d.ts") ? text.replaceAll(JSR_SPECIFIER, NPM_SPECIFIER) : text,
    );
    files.push(relative(outDir, path));
  };
  const result = program.emit(undefined, writeFile, undefined, undefined, {
    afterDeclarations: [rewriteDeclarationSpecifiers],
  });
  failOnDiagnostics("emit the package", result.diagnostics);
  if (result.emitSkipped) throw new BuildError("Cannot emit the package: the compiler skipped it");
  for (const entry of entries) {
    for (const file of [jsPath(entry.source), dtsPath(entry.source)]) {
      if (!existsSync(join(esmDir, file))) {
        throw new BuildError(`Cannot build export "${entry.subpath}": esm/${file} was not emitted`);
      }
    }
  }
  return { files: files.sort() };
}

/**
 * `rewriteRelativeImportExtensions` rewrites `./x.ts` to `./x.js` in JavaScript only; declarations
 * get the same so that they resolve for every TypeScript version and tool that reads them.
 */
function rewriteDeclarationSpecifiers(
  context: ts.TransformationContext,
): (node: ts.SourceFile | ts.Bundle) => ts.SourceFile | ts.Bundle {
  const { factory } = context;
  const visit = (node: ts.Node): ts.Node => {
    const specifier = moduleSpecifierOf(node);
    const text = specifier?.text ?? "";
    if (specifier && /^\.\.?\//.test(text) && text.endsWith(".ts") && !text.endsWith(".d.ts")) {
      const rewritten = factory.createStringLiteral(specifier.text.replace(/\.ts$/, ".js"));
      return ts.visitEachChild(node, (child) => {
        if (child === specifier) return rewritten;
        if (ts.isLiteralTypeNode(child) && child.literal === specifier) {
          return factory.createLiteralTypeNode(rewritten);
        }
        return child;
      }, context);
    }
    return ts.visitEachChild(node, visit, context);
  };
  return (node) => ts.visitNode(node, visit) as ts.SourceFile | ts.Bundle;
}

/** The string naming the module in `import`/`export ... from`, `import("...")` or `import(...)` types. */
function moduleSpecifierOf(node: ts.Node): ts.StringLiteral | undefined {
  let specifier: ts.Node | undefined;
  if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
    specifier = node.moduleSpecifier;
  } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
    specifier = node.argument.literal;
  } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
    specifier = node.arguments[0];
  }
  return specifier && ts.isStringLiteral(specifier) ? specifier : undefined;
}

/**
 * The core must run on every runtime, so outside src/adapters/ and src/runtime/ a name may not resolve only to
 * @types/node or to build-only ambient types (`Buffer`, `process`, `Deno`, `NodeJS.Timeout`),
 * and no module may import `node:*`. Deno and Bun cannot catch this: they have those globals.
 */
function checkWebOnly(program: ts.Program): void {
  const checker = program.getTypeChecker();
  // Real paths: node_modules may be a symlink, and the compiler reports real paths.
  const runtimeTypeDirs = [join(root, "node_modules", "@types", "node"), ambientTypesDir]
    .filter((dir) => existsSync(dir))
    .map((dir) => realpathSync(dir) + sep);
  const verdicts = new Map<string, boolean>();
  const isRuntimeOnly = (declaration: ts.Declaration): boolean => {
    const fileName = declaration.getSourceFile().fileName;
    let verdict = verdicts.get(fileName);
    if (verdict === undefined) {
      const file = realpathSync(fileName);
      verdict = runtimeTypeDirs.some((dir) => file.startsWith(dir));
      verdicts.set(fileName, verdict);
    }
    return verdict;
  };
  // `Buffer.byteLength` is one use of `Buffer`, not two.
  const isMemberName = (node: ts.Identifier): boolean =>
    (ts.isPropertyAccessExpression(node.parent) && node.parent.name === node) ||
    (ts.isQualifiedName(node.parent) && node.parent.right === node);
  const problems: string[] = [];
  for (const sourceFile of program.getSourceFiles()) {
    const file = relative(root, resolve(sourceFile.fileName)).split(sep).join("/");
    if (sourceFile.isDeclarationFile || file.startsWith("..") || file.startsWith("node_modules/")) {
      continue;
    }
    if (RUNTIME_DIRS.some((dir) => file.startsWith(dir))) continue;
    const report = (node: ts.Node, what: string): void => {
      const { line, character } = sourceFile.getLineAndCharacterOfPosition(node.getStart());
      problems.push(`  ${file}:${line + 1}:${character + 1}: ${what}`);
    };
    const visit = (node: ts.Node): void => {
      const specifier = moduleSpecifierOf(node);
      if (specifier?.text.startsWith("node:")) {
        report(node, `imports "${specifier.text}"`);
      } else if (ts.isIdentifier(node) && !isMemberName(node)) {
        const symbol = checker.getSymbolAtLocation(node);
        const declarations = symbol?.declarations ?? [];
        if (declarations.length > 0 && declarations.every(isRuntimeOnly)) {
          report(node, `uses "${node.text}", which only Node/Deno/Bun provide`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }
  if (problems.length > 0) {
    throw new BuildError(
      `Cannot build the package: runtime-specific APIs outside ${RUNTIME_DIRS.join(" and ")}:\n` +
        problems.join("\n"),
    );
  }
}

/**
 * The emitted `.d.ts` must compile for users, who have none of the build-only ambient types
 * (scripts/build_types): with the DOM lib and @types/node, or it is an error. A Node project
 * without the DOM lib is common too (`lib: ["ES2022"]`, @types/node); declarations that fail
 * there (e.g. naming `HeadersInit`, which only the DOM lib declares) are reported as a warning.
 */
function checkPublishedTypes(entries: Entry[]): void {
  const withDom = publishedTypeErrors(entries, ["lib.es2023.d.ts", "lib.dom.d.ts"]);
  failOnDiagnostics("type-check the published declarations (DOM lib + @types/node)", withDom);
  const nodeOnly = publishedTypeErrors(entries, ["lib.es2023.d.ts"]);
  if (nodeOnly.length > 0) {
    console.warn(
      `\nbuild_npm: warning: the published declarations need the DOM lib; a Node project ` +
        `without it (lib ES2022 + @types/node, skipLibCheck off) gets:\n` +
        formatDiagnostics(nodeOnly),
    );
  }
}

function publishedTypeErrors(entries: Entry[], lib: string[]): readonly ts.Diagnostic[] {
  const program = ts.createProgram({
    rootNames: entries.map((entry) => join(esmDir, dtsPath(entry.source))),
    options: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib,
      types: ["node"],
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      // Only our declarations are under test; lib.dom and @types/node disagree in places.
      skipDefaultLibCheck: true,
    },
  });
  return ts.getPreEmitDiagnostics(program).filter((diagnostic) =>
    diagnostic.file === undefined || resolve(diagnostic.file.fileName).startsWith(esmDir + sep)
  );
}

function writePackageJson(version: string, entries: Entry[]): void {
  const exportsField: Record<string, { types: string; default: string }> = {};
  for (const entry of entries) {
    exportsField[entry.subpath] = {
      types: `./esm/${dtsPath(entry.source)}`,
      default: `./esm/${jsPath(entry.source)}`,
    };
  }
  const main = exportsField["."];
  const manifest = {
    name: PACKAGE_NAME,
    version,
    description: DESCRIPTION,
    keywords: KEYWORDS,
    license: "MIT",
    type: "module",
    sideEffects: false,
    engines: { node: `>=${MIN_NODE}` },
    main: main.default,
    types: main.types,
    exports: exportsField,
    files: ["esm/"],
    // Only the Redis backplane subpath imports it; the core has no dependency.
    peerDependencies: OPTIONAL_PEERS,
    peerDependenciesMeta: Object.fromEntries(
      Object.keys(OPTIONAL_PEERS).map((name) => [name, { optional: true }]),
    ),
  };
  writeFileSync(join(outDir, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
}

function copyDocs(): void {
  for (const name of ["README.md", "LICENSE"]) {
    if (!existsSync(join(root, name))) {
      throw new BuildError(`Cannot build the package: ${name} is missing at the repository root`);
    }
    copyFileSync(join(root, name), join(outDir, name));
  }
}

/** Imports every export by package name (a self-reference from npm/), as users will. */
function loadEveryExport(entries: Entry[], node: string): void {
  const specifiers = entries.map((entry) => join(PACKAGE_NAME, entry.subpath).split(sep).join("/"));
  const script = `for (const s of ${JSON.stringify(specifiers)}) {
  const names = Object.keys(await import(s));
  if (names.length === 0) throw new Error(s + " exports nothing");
  console.log("  " + s + ": " + names.length + " exports");
}`;
  step(`loading every export with ${describeNode(node)}`);
  const result = spawnSync(node, ["--input-type=module", "--eval", script], {
    cwd: outDir,
    stdio: "inherit",
  });
  if (result.error) throw new BuildError(`Cannot run ${node}: ${result.error.message}`);
  if (result.status !== 0) throw new BuildError("Cannot load the package's exports (see above)");
}

function runTestsAgainstBuild(node: string): void {
  const tests = TEST_DIRS.flatMap((dir) => listFiles(join(root, dir)))
    .filter((file) => file.endsWith(".test.ts"))
    .sort();
  if (tests.length === 0) {
    step(`no *.test.ts under ${TEST_DIRS.join(", ")}: nothing to run against the build`);
    return;
  }
  try {
    compileTests(tests);
    const built = tests.map((file) => join(testDir, jsPath(relative(root, file))));
    step(`running ${tests.length} test files against npm/esm with ${describeNode(node)}`);
    const result = spawnSync(node, ["--test", "--test-reporter=spec", ...built], {
      cwd: testDir,
      stdio: "inherit",
    });
    if (result.error) throw new BuildError(`Cannot run ${node}: ${result.error.message}`);
    if (result.status !== 0) throw new BuildError("Cannot pass the tests against the build");
  } finally {
    rmSync(testDir, { recursive: true, force: true });
  }
}

/**
 * Compiles the tests (and their helpers) into npm/test_build with the tree kept, so that
 * `../../src/x.ts` lands on npm/test_build/src/x.js; every such module that the package contains
 * becomes a symlink into npm/esm. Node resolves symlinks to the real path, so the tests load the
 * published files themselves, once each.
 */
function compileTests(tests: string[]): void {
  const program = ts.createProgram({
    rootNames: [...tests, ...ambientTypeFiles()],
    options: compilerOptions({ outDir: testDir }),
  });
  failOnDiagnostics("type-check the tests", ts.getPreEmitDiagnostics(program));
  const result = program.emit(undefined, (fileName, text) => {
    const path = resolve(fileName);
    const published = join(esmDir, relative(testDir, path));
    mkdirSync(dirname(path), { recursive: true });
    if (existsSync(published)) symlinkSync(relative(dirname(path), published), path);
    else writeFileSync(path, text);
  });
  failOnDiagnostics("emit the tests", result.diagnostics);
  // Fixture files the tests read from disk travel with them.
  for (const dir of TEST_DIRS) {
    for (const file of listFiles(join(root, dir))) {
      if (file.endsWith(".ts")) continue;
      const target = join(testDir, relative(root, file));
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(file, target);
    }
  }
}

function runPackageLinters(): void {
  // The linters are JavaScript CLIs; run them on the pinned Node 24 when present.
  const pinnedNode = join(root, "node_modules", "node24", "bin", "node");
  const node = existsSync(pinnedNode) ? pinnedNode : "node";
  const bin = (name: string): string => join(root, "node_modules", ".bin", name);
  const plain = process.stdout.isTTY ? [] : ["--no-color"];
  const tools: Array<[string, string[]]> = [
    ["publint", [bin("publint"), "run", outDir, "--strict", "--pack", "npm"]],
    ["attw", [bin("attw"), "--pack", outDir, "--profile", "esm-only", ...plain]],
  ];
  for (const [name, args] of tools) {
    step(`${name}`);
    const result = spawnSync(node, args, { cwd: root, stdio: "inherit" });
    if (result.error) throw new BuildError(`Cannot run ${name}: ${result.error.message}`);
    if (result.status !== 0) throw new BuildError(`Cannot pass ${name} (see above)`);
  }
}

function printSummary(emitted: Emitted, elapsedMs: number): void {
  const js = emitted.files.filter((file) => file.endsWith(".js")).length;
  const dts = emitted.files.filter((file) => file.endsWith(".d.ts")).length;
  step(
    `done in ${(elapsedMs / 1000).toFixed(1)}s: ${js} .js + ${dts} .d.ts in npm/esm; ` +
      describePackage(),
  );
}

/** What `npm publish` would upload, as npm itself counts it; a local count when npm is missing. */
function describePackage(): string {
  const result = spawnSync("npm", ["pack", "--dry-run", "--json"], {
    cwd: outDir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  if (result.status === 0) {
    const [pack] = JSON.parse(result.stdout);
    return `tarball of ${pack.entryCount} files, ${kib(pack.size)} (${
      kib(pack.unpackedSize)
    } unpacked)`;
  }
  const files = listFiles(outDir);
  const unpacked = files.reduce((sum, file) => sum + statSync(file).size, 0);
  return `${files.length} files, ${kib(unpacked)} unpacked`;
}

function failOnDiagnostics(action: string, diagnostics: readonly ts.Diagnostic[]): void {
  if (diagnostics.length === 0) return;
  throw new BuildError(
    `Cannot ${action}: ${diagnostics.length} error(s)\n${formatDiagnostics(diagnostics)}`,
  );
}

function formatDiagnostics(diagnostics: readonly ts.Diagnostic[]): string {
  const host: ts.FormatDiagnosticsHost = {
    getCanonicalFileName: (fileName) => fileName,
    getCurrentDirectory: () => root,
    getNewLine: () => "\n",
  };
  const color = process.stderr.isTTY && !process.env.NO_COLOR;
  return color
    ? ts.formatDiagnosticsWithColorAndContext(diagnostics, host)
    : ts.formatDiagnostics(diagnostics, host);
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((item) => {
    const path = join(dir, item.name);
    if (item.isDirectory()) return listFiles(path);
    return item.isFile() ? [path] : [];
  });
}

function jsPath(source: string): string {
  return source.replace(/\.ts$/, ".js").split(sep).join("/");
}

function dtsPath(source: string): string {
  return source.replace(/\.ts$/, ".d.ts").split(sep).join("/");
}

function describeNode(node: string): string {
  const result = spawnSync(node, ["--version"], { encoding: "utf8" });
  const version = result.status === 0 ? result.stdout.trim() : "unknown version";
  return `Node ${version} (${node})`;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function step(message: string): void {
  console.log(`\n=== build_npm: ${message}`);
}
