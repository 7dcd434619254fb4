/**
 * Synth at fleet scale against its floors: for each N, the wall time of `buildApp(fleet).synth()` in-process and of a
 * fresh process (what `cdk8s synth` runs), beside the time to serialize the very same objects with the YAML library
 * cdk8s writes them with (`Yaml.stringify`, its bundled `yaml`, its options) — the floor no synth can beat — and with
 * `JSON.stringify`. Medians of BENCH_RUNS runs (default 5).
 *   tsx bench/synth.bench.ts                 N = 10, 100, 500, 1000, 5000
 *   BENCH_NODES=10,100 tsx bench/synth.bench.ts
 * Human lines on stderr; with BENCH_JSON=<file>, one JSON object per measurement appended there.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Yaml } from 'cdk8s';
import { buildApp } from '../src/fleet.js';
import { generatedFleet } from './fleet-generator.js';

const ROOT = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SIZES = (process.env.BENCH_NODES ?? '10,100,500,1000,5000').split(',').map(Number);
const FRESH_MAX = Number(process.env.BENCH_FRESH_MAX ?? 1000);

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1], runs: s.length };
};
function time(runs: number, fn: () => void): number[] {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out;
}
const record = (o: Record<string, unknown>) => {
  if (process.env.BENCH_JSON) appendFileSync(process.env.BENCH_JSON, `${JSON.stringify(o)}\n`);
};
const say = (m: string) => process.stderr.write(`${m}\n`);
const tsx = join(ROOT, 'node_modules/.bin/tsx');

for (const n of SIZES) {
  const fleet = generatedFleet(n);
  // The objects as synth renders them, chart by chart: the floors serialize exactly these.
  const docs = buildApp(fleet).charts.map((c) => c.toJson());
  const inProcess = stats(
    time(RUNS, () => {
      const out = mkdtempSync(join(tmpdir(), 'sei-bench-'));
      buildApp(fleet, out).synth();
      rmSync(out, { recursive: true, force: true });
    }),
  );
  const yamlFloor = stats(time(RUNS, () => docs.forEach((d) => Yaml.stringify(...d))));
  const jsonFloor = stats(time(RUNS, () => docs.forEach((d) => JSON.stringify(d))));
  let fresh: ReturnType<typeof stats> | undefined;
  if (n <= FRESH_MAX) {
    const dir = mkdtempSync(join(tmpdir(), 'sei-bench-main-'));
    // .mts: outside the project there is no package.json saying "type": "module".
    const script = join(dir, 'main.mts');
    writeFileSync(script, `import { buildApp } from ${JSON.stringify(join(ROOT, 'src/fleet.ts'))};\nbuildApp(${JSON.stringify(fleet)}).synth();\n`);
    fresh = stats(
      time(RUNS, () => {
        const out = mkdtempSync(join(tmpdir(), 'sei-bench-'));
        execFileSync(tsx, [script], { cwd: ROOT, env: { ...process.env, CDK8S_OUTDIR: out }, stdio: 'ignore' });
        rmSync(out, { recursive: true, force: true });
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  }
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  say(
    `${String(n).padStart(5)} nodes: in-process ${ms(inProcess.median)} (${ms(inProcess.min)}–${ms(inProcess.max)}), ` +
      `YAML floor ${ms(yamlFloor.median)}, JSON floor ${ms(jsonFloor.median)}, ×${(inProcess.median / yamlFloor.median).toFixed(2)} the YAML floor` +
      (fresh ? `, fresh process ${ms(fresh.median)} (${ms(fresh.min)}–${ms(fresh.max)})` : ''),
  );
  record({ bench: 'synth', nodes: n, inProcess, yamlFloor, jsonFloor, ...(fresh ? { fresh } : {}) });
}
