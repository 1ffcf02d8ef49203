/**
 * `npm run bench:compare -- <checkout> <checkout> … [--path /swap|/refresh] [--rounds N]
 * [--seconds S] [--connections C] [--pin]`: two or more builds of tokenswap (each a checkout with
 * `npm run build` done, e.g. a `git worktree`) against one canned upstream, in interleaved short
 * rounds, with each build's requests per second paired with the first build's round by round.
 * A change of a few percent is lost in the run-to-run noise of `npm run bench`; paired rounds,
 * their interquartile range and the CPU time per request show whether it is real.
 * Run two copies of the same build first: the spread they show is the noise floor.
 * `--pin` puts the servers on CPU 0 and the upstream and load generator on CPU 1 (`taskset`).
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Child, cpuMicros, startNode, startServer } from './processes.ts';
import { APP, load, median, quantile, requestBodies, SERVER_ENV } from './workload.ts';

const { values: options, positionals: checkouts } = parseArgs({
  allowPositionals: true,
  options: {
    path: { type: 'string', default: '/swap' },
    rounds: { type: 'string', default: '12' },
    seconds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '64' },
    pin: { type: 'boolean', default: false },
  },
});
const path = options.path;
if (path !== '/swap' && path !== '/refresh') throw new Error('--path is /swap or /refresh');
if (checkouts.length < 2) throw new Error('give at least two checkouts to compare');
function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} is a whole number ≥ 1`);
  return value;
}
const rounds = positiveInteger('rounds', options.rounds);
const seconds = positiveInteger('seconds', options.seconds);
const connections = positiveInteger('connections', options.connections);

function pin(pid: number | undefined, cpu: number) {
  execFileSync('taskset', ['--all-tasks', '--pid', '--cpu-list', String(cpu), String(pid)], {
    stdio: 'ignore',
  });
}

const bodies = (await requestBodies())[path];
// The canned upstream of this checkout, whichever directory the command runs from.
const upstream = await startNode(
  [fileURLToPath(new URL('canned-upstream.ts', import.meta.url))],
  {},
);
const servers: { name: string; child: Child }[] = [];
try {
  for (const checkout of checkouts) {
    const env = { ...APP, ...SERVER_ENV, SPOTIFY_ACCOUNTS_URL: upstream.url };
    servers.push({ name: checkout, child: await startServer(resolve(checkout), env) });
  }
  if (options.pin) {
    pin(process.pid, 1);
    pin(upstream.process.pid, 1);
    for (const { child } of servers) pin(child.process.pid, 0);
  }
  for (const { child } of servers) await load(child.url, path, bodies, connections, 1);
  const rps = servers.map((): number[] => []);
  const cpu = servers.map((): number[] => []);
  for (let round = 0; round < rounds; round++) {
    // Every other round runs the builds in reverse order: whatever drifts within a round (the
    // upstream's state, the machine's other load) does not always favour the same build.
    const order = [...servers.entries()];
    if (round % 2 === 1) order.reverse();
    for (const [index, { child }] of order) {
      const before = cpuMicros(child.process.pid);
      const result = await load(child.url, path, bodies, connections, seconds);
      if (result.errors + result.timeouts + result.non2xx > 0) {
        throw new Error(`${servers[index]!.name} answered errors or non-2xx: not comparable`);
      }
      rps[index]!.push(result.requests.average);
      cpu[index]!.push(
        (cpuMicros(child.process.pid) - before) / Math.max(1, result.requests.total),
      );
    }
  }
  console.log(
    `${path}, ${connections} connections, ${rounds} interleaved rounds of ${seconds} s${options.pin ? ', pinned' : ''}`,
  );
  console.log('| checkout | req/s | CPU µs / req | paired req/s ratio | q1 | q3 |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const [index, { name }] of servers.entries()) {
    const paired = rps[index]!.map((value, round) => value / rps[0]![round]!);
    console.log(
      `| ${name} | ${median(rps[index]!).toFixed(0)} | ${median(cpu[index]!).toFixed(0)} | ${median(paired).toFixed(3)} | ${quantile(paired, 0.25).toFixed(3)} | ${quantile(paired, 0.75).toFixed(3)} |`,
    );
  }
} finally {
  await Promise.all([...servers.map(({ child }) => child.stop()), upstream.stop()]);
}
