/**
 * Top self-time functions of a V8 .cpuprofile (as written by
 * `node --cpu-prof`), as a markdown table.
 *
 * @module
 */

/** The parts of the .cpuprofile format this summary reads. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Sums each sample's time delta onto the function it landed in (self time),
 * merging nodes of one function reached through different call paths.
 */
export function summarizeCpuProfile(
  profile: CpuProfile,
  options: { top: number; root?: string },
): string {
  const keyOfNode = new Map<number, string>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    let where = url.replace(/^file:\/\//, "");
    if (options.root && where.startsWith(options.root + "/")) {
      where = where.slice(options.root.length + 1);
    }
    const name = functionName || "(anonymous)";
    keyOfNode.set(node.id, `${name}\u0000${where ? `${where}:${lineNumber + 1}` : ""}`);
  }
  const selfMicros = new Map<string, number>();
  let idle = 0;
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the time since the previous sample: charge it to this one.
    const delta = profile.timeDeltas[i] ?? 0;
    const key = keyOfNode.get(profile.samples[i]) ?? "?\u0000";
    // Idle time covers start-up and shutdown too; shares are of busy time.
    if (key.startsWith("(idle)\u0000")) {
      idle += delta;
      continue;
    }
    selfMicros.set(key, (selfMicros.get(key) ?? 0) + delta);
    busy += delta;
  }
  const rows = [...selfMicros].sort((a, b) => b[1] - a[1]).slice(0, options.top);
  const lines = [
    "| # | Self ms | % of busy | Function | Location |",
    "| ---: | ---: | ---: | --- | --- |",
  ];
  rows.forEach(([key, micros], i) => {
    const [name, where] = key.split("\u0000");
    lines.push(
      `| ${i + 1} | ${(micros / 1000).toFixed(0)} | ${(100 * micros / busy).toFixed(1)}% | ` +
        `\`${name}\` | ${where} |`,
    );
  });
  lines.push(
    "",
    `busy: ${(busy / 1000).toFixed(0)} ms sampled; idle (not counted): ${
      (idle / 1000).toFixed(0)
    } ms`,
  );
  return lines.join("\n");
}
