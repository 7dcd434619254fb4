/** One 1000-node synth under the V8 profiler: `node --cpu-prof --import tsx bench/profile-synth.ts`, then open the .cpuprofile. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/fleet.js';
import { generatedFleet } from './fleet-generator.js';

const out = mkdtempSync(join(tmpdir(), 'sei-prof-'));
buildApp(generatedFleet(Number(process.env.BENCH_NODES ?? 1000)), out).synth();
rmSync(out, { recursive: true, force: true });
