// Ambient types for the npm build only: scripts/build_npm.ts adds every `*.d.ts` in this directory
// to the compilation, emits none of them, and fails when the published declarations need them, so
// nothing declared here can leak into the package's types. Outside src/adapters/ and src/runtime/, using a name
// declared only here (or only by @types/node) fails the build.
//
// Empty on purpose: the adapters reach runtime globals through `globalThis` casts to local
// interfaces (`(globalThis as { Deno?: DenoRuntime }).Deno`), which need nothing here, and a
// global declared here would clash with those casts (TS2352) and, for `Deno`, with the real
// declaration that `deno check scripts/` reads alongside this file. Declare something here only
// for a global that an adapter must name directly, e.g.
//
//   declare var WebSocketPair: new () => { 0: WebSocket; 1: WebSocket };
