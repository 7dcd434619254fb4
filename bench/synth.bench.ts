/**
 * Synth wall time: the example fleet through the real entry point (`tsx src/main.ts`, what `cdk8s synth` runs), and
 * 1000 generated nodes through `buildApp` in-process and end to end. Median of 5 runs each; prints the machine.
 *   npm run bench            (BENCH_RUNS=N, BENCH_NODES=N to change the defaults)
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SEINODE_MODES } from '../src/constructs/seinode-crd.js';
import { buildApp, type FleetSpec } from '../src/fleet.js';

const ROOT = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const NODES = Number(process.env.BENCH_NODES ?? 1000);

/** A made-up but well-formed node ID (40 hex) per generated node, so each one's peer is valid. */
const nodeId = (ns: number, i: number) => createHash('sha1').update(`node-${ns}-${i}`).digest('hex');

function generatedFleet(count: number): FleetSpec[] {
  const perNamespace = 250;
  return Array.from({ length: Math.ceil(count / perNamespace) }, (_, ns) => ({
    namespace: `sei-bench-${ns}`,
    nodes: Array.from({ length: Math.min(perNamespace, count - ns * perNamespace) }, (_, i) => {
      const mode = SEINODE_MODES[i % SEINODE_MODES.length];
      return {
        name: `node-${ns}-${i}`,
        chainId: 'pacific-1',
        image: 'ghcr.io/sei-protocol/sei:v6.1.0',
        allowImageTag: true,
        [mode]: {},
        bootstrap: { none: {} },
        paused: i % 7 === 0,
        peers: [`${nodeId(ns, (i + 1) % perNamespace)}@node-${ns}-${(i + 1) % perNamespace}.sei-bench-${ns}.svc:26656`],
        overrides: { 'p2p.max-connections': String(200 + (i % 5)) },
      };
    }),
  }));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const dirBytes = (dir: string) => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);

function measure(label: string, run: (outdir: string) => void): void {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < RUNS; i++) {
    const out = mkdtempSync(join(tmpdir(), 'sei-bench-'));
    const t0 = performance.now();
    run(out);
    times.push(performance.now() - t0);
    bytes = dirBytes(out);
    rmSync(out, { recursive: true, force: true });
  }
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  console.log(
    `${label.padEnd(44)} median ${ms(median(times)).padStart(8)}  min ${ms(Math.min(...times)).padStart(8)}  max ${ms(Math.max(...times)).padStart(8)}  (${RUNS} runs, ${(bytes / 1024).toFixed(0)} KiB out)`,
  );
}

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);

const tsx = join(ROOT, 'node_modules/.bin/tsx');
const endToEnd = (entry: string, env: Record<string, string> = {}) => (out: string) =>
  execFileSync(tsx, [entry], { cwd: ROOT, env: { ...process.env, ...env, CDK8S_OUTDIR: out }, stdio: 'ignore' });

measure('example fleet, end to end (tsx src/main.ts)', endToEnd(join(ROOT, 'src/main.ts')));

const fleet = generatedFleet(NODES);
measure(`${NODES} nodes, in-process buildApp().synth()`, (out) => buildApp(fleet, out).synth());

// The same fleet through a fresh process, as `cdk8s synth` would run a 1000-node main.ts.
// .mts: outside the project there is no package.json saying "type": "module", and canonicalize is ESM-only.
const script = join(mkdtempSync(join(tmpdir(), 'sei-bench-main-')), 'main.mts');
writeFileSync(
  script,
  `import { buildApp } from ${JSON.stringify(join(ROOT, 'src/fleet.ts'))};\n` +
    `buildApp(${JSON.stringify(fleet)}).synth();\n`,
);
measure(`${NODES} nodes, end to end (fresh process)`, endToEnd(script));
rmSync(resolve(script, '..'), { recursive: true, force: true });
