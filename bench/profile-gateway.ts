// Where the gateway's time goes: runs Palisade (default profile) under a fixed load with the V8
// CPU profiler and records the top self-time functions per workload in bench/results/gateway-profile.json.
// Run after `npm run bench` (it reuses the configs that run writes to bench/tmp/).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { peak } from './lib/load.js';
import { machine } from './lib/machine.js';
import { startProc } from './lib/procs.js';
import { WORKLOADS } from './lib/workloads.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const tmp = join(root, 'bench', 'tmp');

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

function topFunctions(profile: CpuProfile, n: number) {
  const time = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    time.set(id, (time.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const byName = new Map<string, number>();
  let busy = 0;
  for (const node of profile.nodes) {
    const t = time.get(node.id) ?? 0;
    const cf = node.callFrame;
    if (cf.functionName === '(idle)') continue;
    busy += t;
    const where = cf.url.replace(/^.*\/(node_modules|dist)\//, '$1/').replace(/^file:\/\//, '');
    const key = `${cf.functionName || '(anonymous)'} ${where}${where ? `:${cf.lineNumber + 1}` : ''}`;
    byName.set(key, (byName.get(key) ?? 0) + t);
  }
  return [...byName]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([fn, t]) => ({ function: fn, share_of_busy: Math.round((t / busy) * 1000) / 1000 }));
}

// PROFILE_TARGET=palisade-off profiles the all-controls-off gateway instead.
const target = process.env.PROFILE_TARGET ?? 'palisade-default';
const PORT_OF: Record<string, number> = { 'palisade-off': 18082, 'palisade-default': 18083 };

async function main() {
  const config = join(tmp, `${target}.yaml`);
  const port = PORT_OF[target];
  if (!port) throw new Error(`PROFILE_TARGET must be one of ${Object.keys(PORT_OF).join(', ')}`);
  const out: Record<string, unknown> = {};
  const upstream = await startProc(
    process.execPath,
    [join(root, 'examples/demo-upstream/server.js')],
    { PORT: '18090', DEMO_STREAM_DELAY_MS: '0' },
    /demo upstream/,
  );
  try {
    for (const w of WORKLOADS) {
      const dir = join(tmp, 'profile');
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const gw = await startProc(
        process.execPath,
        ['--cpu-prof', `--cpu-prof-dir=${dir}`, join(root, 'bin/palisade.js'), 'gateway', '--config', config],
        {},
        /listening/,
        root,
      );
      await peak(`http://127.0.0.1:${port}`, w, 32, 5);
      gw.child.kill('SIGINT');
      await new Promise((r) => gw.child.once('exit', r));
      const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
      out[w.name] = topFunctions(JSON.parse(readFileSync(join(dir, file), 'utf8')), 25);
    }
  } finally {
    await upstream.stop();
  }
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(
    join(root, 'bench/results/gateway-profile.json'),
    `${JSON.stringify({ benchmark: 'gateway-profile', date: new Date().toISOString(), machine: machine(), target, method: 'V8 CPU profile, autocannon 32 connections for 5 s per workload; self time share of non-idle samples', workloads: out }, null, 2)}\n`,
  );
  console.log(JSON.stringify(out, null, 1).slice(0, 4000));
}

await main();
