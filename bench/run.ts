/**
 * `npm run bench [-- --quick]`: every benchmark, then docs/benchmarks.md regenerated from this run — the machine, the
 * date, median and range of each figure, and its budget with pass/fail. Exits 1 when a budget fails.
 *
 * Budgets that CI checks (`--quick`, under 3 minutes) are ratios and counts, so a noisy machine cannot fail them:
 * synth within 3× the YAML floor, synth growth linear within 20 %, ≤ 1 status write per node on a first sync, 0 writes
 * in a steady state. Absolute budgets (1000 nodes tracked ≤ 30 s, RSS ≤ 150 MB, a resync ≤ 1 s of CPU) are checked by
 * the full run, at 1000 nodes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { RECONCILER_NODE_OPTIONS } from '../src/constructs/reconciler.js';

const ROOT = resolve(import.meta.dirname, '..');
const quick = process.argv.includes('--quick');
const tsx = join(ROOT, 'node_modules/.bin/tsx');
const say = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const t0 = Date.now();

// The reconciler runs as deployed: compiled (lib/, what the image runs), not through tsx.
say('npm run build (the reconciler as the image runs it)');
execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });

const dir = mkdtempSync(join(tmpdir(), 'sei-bench-run-'));
const json = join(dir, 'synth.jsonl');
const sizes = quick ? '10,100,500,1000' : '10,100,500,1000,5000';
say(`synth: N = ${sizes}`);
execFileSync(tsx, [join(ROOT, 'bench/synth.bench.ts')], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, BENCH_NODES: sizes, BENCH_RUNS: '5', BENCH_FRESH_MAX: quick ? '100' : '1000', BENCH_JSON: json },
});
type Stats = { median: number; min: number; max: number; runs: number };
type Synth = { nodes: number; inProcess: Stats; yamlFloor: Stats; jsonFloor: Stats; fresh?: Stats };
const synth = readFileSync(json, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Synth);

type Scale = Record<string, number | null>;
const scale: Scale[] = [];
for (const n of quick ? [100] : [100, 1000]) {
  say(`reconciler: ${n} nodes`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/reconciler-scale.bench.ts')], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    // As deployed: the compiled CLI with the container's V8 limits (SeiNodeReconciler's NODE_OPTIONS).
    env: { ...process.env, SCALE_NODES: String(n), SCALE_STEADY_S: quick ? '15' : '60', SCALE_IMPOSTORS: quick ? '10' : '30', SCALE_CLI: 'lib', SCALE_NODE_OPTIONS: RECONCILER_NODE_OPTIONS },
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`reconciler bench at ${n} nodes failed (${r.status})`);
  scale.push(JSON.parse(r.stdout.trim().split('\n').pop()!) as Scale);
}
rmSync(dir, { recursive: true, force: true });

// Budgets.
type Row = { what: string; value: string; budget: string; pass: boolean | undefined };
const rows: Row[] = [];
const ms = (x: number) => `${x.toFixed(0)} ms`;
const range = (s: Stats) => `${ms(s.median)} (${ms(s.min)}–${ms(s.max)}, ${s.runs} runs)`;
const largest = synth[synth.length - 1];
const tenth = synth.find((s) => s.nodes === largest.nodes / 10) ?? synth[synth.length - 2];
const floorRatio = largest.inProcess.median / largest.yamlFloor.median;
rows.push({ what: `synth ${largest.nodes} nodes ÷ YAML floor`, value: floorRatio.toFixed(2), budget: '≤ 3', pass: floorRatio <= 3 });
const growth = largest.inProcess.median / tenth.inProcess.median;
const expected = largest.nodes / tenth.nodes;
rows.push({ what: `synth growth, time(${largest.nodes}) ÷ time(${tenth.nodes})`, value: growth.toFixed(2), budget: `≤ ${(expected * 1.2).toFixed(0)} (linear ${expected} + 20 %)`, pass: growth <= expected * 1.2 });
for (const s of scale) {
  const n = s.nodes as number;
  const full = !quick && n === 1000;
  const abs = (ok: boolean) => (full ? ok : undefined);
  rows.push({ what: `reconciler ${n}: status writes per node, first sync`, value: (s.firstSyncStatusWritesPerNode as number).toFixed(2), budget: '≤ 1', pass: (s.firstSyncStatusWritesPerNode as number) <= 1 });
  rows.push({ what: `reconciler ${n}: writes in ${s.steadySeconds} s steady state`, value: String(s.steadyWrites), budget: '0', pass: s.steadyWrites === 0 });
  rows.push({ what: `reconciler ${n}: all tracked, from its start`, value: `${(s.trackedFromStart as number).toFixed(1)} s`, budget: n === 1000 ? '≤ 30 s' : '—', pass: n === 1000 ? abs((s.trackedFromStart as number) <= 30) : undefined });
  rows.push({ what: `reconciler ${n}: RSS after sync`, value: `${(s.rssMB as number).toFixed(0)} MB`, budget: n === 1000 ? '≤ 150 MB' : '—', pass: n === 1000 ? abs((s.rssMB as number) <= 150) : undefined });
  rows.push({ what: `reconciler ${n}: CPU of one resync`, value: `${(s.resyncCpuSeconds as number).toFixed(2)} s`, budget: n === 1000 ? '≤ 1 s' : '—', pass: n === 1000 ? abs((s.resyncCpuSeconds as number) <= 1) : undefined });
}
const failed = rows.filter((r) => r.pass === false);

const machine = `${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${loadavg()[0].toFixed(1)} at the end`;
const synthTable = [
  '| nodes | in-process synth | fresh process (`tsx`, as `cdk8s synth`) | YAML floor (`Yaml.stringify`) | JSON floor | synth ÷ YAML floor |',
  '|---|---|---|---|---|---|',
  ...synth.map((s) => `| ${s.nodes} | ${range(s.inProcess)} | ${s.fresh ? range(s.fresh) : '—'} | ${range(s.yamlFloor)} | ${range(s.jsonFloor)} | ${(s.inProcess.median / s.yamlFloor.median).toFixed(2)} |`),
];
const f = (x: number | null | undefined, d = 1) => (x === null || x === undefined ? '—' : x.toFixed(d));
const scaleTable = [
  `| figure | ${scale.map((s) => `${s.nodes} nodes`).join(' | ')} |`,
  `|---|${scale.map(() => '---').join('|')}|`,
  ...(
    [
      ['GitOps apply of the SeiNodes + StatefulSets (kubectl SSA)', (s: Scale) => `${f(s.applySeconds)} s`],
      ['all tracked, from the reconciler\'s start', (s: Scale) => `${f(s.trackedFromStart)} s`],
      ['all tracked, from the start of the apply', (s: Scale) => `${f(s.trackedFromApply)} s`],
      ['API requests per node, first sync', (s: Scale) => f(s.firstSyncRequestsPerNode, 2)],
      ['status writes per node, first sync', (s: Scale) => f(s.firstSyncStatusWritesPerNode, 2)],
      ['RSS / heap used after sync', (s: Scale) => `${f(s.rssMB, 0)} / ${f(s.heapMB, 0)} MB`],
      ['writes in the steady state', (s: Scale) => `${s.steadyWrites} in ${s.steadySeconds} s`],
      ['API requests per node per resync', (s: Scale) => f(s.resyncRequestsPerNode, 2)],
      ['CPU per resync (steady CPU ÷ resyncs, 15 s period)', (s: Scale) => `${f(s.resyncCpuSeconds, 2)} s`],
      ['impostor created → delete accepted, p50 / p99', (s: Scale) => `${f(s.impostorP50Ms, 0)} / ${f(s.impostorP99Ms, 0)} ms (${s.impostors} runs)`],
      ['API server restart → reconciler watching and ready', (s: Scale) => `${f(s.reconnectSeconds, 2)} s`],
      ['impostor made right after the restart → delete accepted', (s: Scale) => `${f(s.impostorAfterRestartMs, 0)} ms`],
    ] as const
  ).map(([label, cell]) => `| ${label} | ${scale.map(cell).join(' | ')} |`),
];
const doc = `# Benchmarks

Regenerated by \`npm run bench${quick ? ' -- --quick' : ''}\` (${quick ? 'quick: what CI runs' : 'full'}) on ${new Date().toISOString().slice(0, 10)};
${machine}. Took ${((Date.now() - t0) / 1000).toFixed(0)} s. Do not edit by hand: run the command and commit the result.

## Budgets

| figure | this run | budget | |
|---|---|---|---|
${rows.map((r) => `| ${r.what} | ${r.value} | ${r.budget} | ${r.pass === undefined ? (r.budget === '—' ? '' : 'full run only') : r.pass ? 'pass' : '**FAIL**'} |`).join('\n')}

## Synth (\`bench/synth.bench.ts\`)

The same generated fleet (250 nodes per namespace, the four modes in turn, every 7th paused, a peer and an override
each) through \`buildApp(fleet).synth()\` in-process and through a fresh process; the floors serialize the very objects
synth writes with the same library and options (cdk8s' \`Yaml.stringify\`), and with \`JSON.stringify\`. Medians and
ranges of 5 runs.

${synthTable.join('\n')}

## Reconciler on the real control plane (\`bench/reconciler-scale.bench.ts\`)

etcd + kube-apiserver + kube-controller-manager (the StatefulSet controller makes the Pods; no kubelet) on loopback;
N SeiNodes + StatefulSets server-side applied under \`argocd-controller\` before the reconciler starts (a first
install); the reconciler is the compiled CLI (\`lib/\`, as the image runs it) in its own process with the container's
V8 limits (\`NODE_OPTIONS=${RECONCILER_NODE_OPTIONS}\`), resync every 15 s,
its own counters (\`seinode_reconciler_api_requests_total\`, \`…_writes_total\`, process metrics) read from
\`/metrics\`. Impostors: a running node's StatefulSet deleted and a \`kubectl-create\` copy made, timed to the API
server's deletionTimestamp. One run per N: the figures are single measurements, the impostor latencies p50/p99 of
the runs shown.

${scaleTable.join('\n')}
`;
mkdirSync(join(ROOT, 'docs'), { recursive: true });
writeFileSync(join(ROOT, 'docs/benchmarks.md'), doc);
say(`wrote docs/benchmarks.md; ${failed.length === 0 ? 'every budget passes' : `FAILED: ${failed.map((r) => r.what).join('; ')}`}`);
if (!existsSync(join(ROOT, 'docs/benchmarks.md'))) process.exit(1);
process.exit(failed.length === 0 ? 0 : 1);
