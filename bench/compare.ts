/**
 * `npm run bench:compare -- <checkout|reference> <checkout|reference> … [--path /swap|/refresh]
 * [--rounds N] [--seconds S] [--connections C] [--pin] [--rate R] [--tls]`: two or more builds of
 * tokenswap (each a checkout with `npm run build` done, e.g. a `git worktree`) against one canned
 * upstream, in interleaved short rounds, with each build's requests per second paired with the
 * first build's round by round. `reference` stands for the benchmark's reference proxy.
 * A change of a few percent is lost in the run-to-run noise of `npm run bench`; paired rounds,
 * their interquartile range and the CPU time per request show whether it is real.
 * Run two copies of the same build first: the spread they show is the noise floor.
 * `--pin` puts the servers on CPU 0 and the upstream and load generator on CPU 1 (`taskset`).
 * `--rate R` offers every build the same R requests per second instead of as many as it answers:
 * a build that answers more per event-loop turn also spends less CPU on each request, so at full
 * load a small saving shows up enlarged; at one rate the CPU per request compares the work alone.
 * `--tls` is `npm run bench`'s TLS scenario: an HTTPS upstream (self-signed, made at start) that
 * answers after TLS_UPSTREAM_DELAY_MS (20 ms), and 32 connections unless `--connections` says
 * otherwise.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  appEnv,
  type Child,
  cpuMicros,
  selfSignedCert,
  startReference,
  startServer,
  startUpstream,
  TLS_UPSTREAM_DELAY_MS,
} from './processes.ts';
import { load, median, quantile, requestBodies, SERVER_ENV, WARM_UP_SECONDS } from './workload.ts';

const { values: options, positionals: checkouts } = parseArgs({
  allowPositionals: true,
  options: {
    path: { type: 'string', default: '/swap' },
    rounds: { type: 'string', default: '12' },
    seconds: { type: 'string', default: '2' },
    connections: { type: 'string' },
    pin: { type: 'boolean', default: false },
    rate: { type: 'string' },
    tls: { type: 'boolean', default: false },
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
const connections = positiveInteger(
  'connections',
  options.connections ?? (options.tls ? '32' : '64'),
);
const rate = options.rate === undefined ? undefined : positiveInteger('rate', options.rate);

function pin(pid: number | undefined, cpu: number) {
  execFileSync('taskset', ['--all-tasks', '--pid', '--cpu-list', String(cpu), String(pid)], {
    stdio: 'ignore',
  });
}

const bodies = (await requestBodies())[path];
const certs = options.tls ? mkdtempSync(join(tmpdir(), 'tokenswap-compare-')) : undefined;
const cert = certs === undefined ? undefined : selfSignedCert(certs);
// The canned upstream of this checkout, whichever directory the command runs from.
const upstream = await startUpstream(cert);
const servers: { name: string; child: Child }[] = [];
try {
  const env = appEnv(upstream, cert);
  for (const checkout of checkouts) {
    const child =
      checkout === 'reference'
        ? await startReference(upstream, env)
        : await startServer(resolve(checkout), { ...env, ...SERVER_ENV });
    servers.push({ name: checkout, child });
  }
  if (options.pin) {
    pin(process.pid, 1);
    pin(upstream.process.pid, 1);
    for (const { child } of servers) pin(child.process.pid, 0);
  }
  for (const { child } of servers) {
    await load(child.url, path, bodies, connections, WARM_UP_SECONDS, rate);
  }
  const rps = servers.map((): number[] => []);
  const cpu = servers.map((): number[] => []);
  for (let round = 0; round < rounds; round++) {
    // Every other round runs the builds in reverse order: whatever drifts within a round (the
    // upstream's state, the machine's other load) does not always favour the same build.
    const order = [...servers.entries()];
    if (round % 2 === 1) order.reverse();
    for (const [index, { child }] of order) {
      const before = cpuMicros(child.process.pid);
      const result = await load(child.url, path, bodies, connections, seconds, rate);
      if (result.errors + result.timeouts + result.non2xx > 0) {
        throw new Error(`${servers[index]!.name} answered errors or non-2xx: not comparable`);
      }
      rps[index]!.push(result.requests.average);
      cpu[index]!.push(
        (cpuMicros(child.process.pid) - before) / Math.max(1, result.requests.total),
      );
    }
  }
  // At full load, each build's requests per second against the first build's in the same round;
  // at a fixed rate (where every build answers the same), its CPU time per request.
  const figure = rate === undefined ? rps : cpu;
  console.log(
    `${path}, ${cert === undefined ? 'plain upstream' : `TLS upstream answering after ${TLS_UPSTREAM_DELAY_MS} ms`}, ${connections} connections${rate === undefined ? '' : `, ${rate} req/s offered`}, ${rounds} interleaved rounds of ${seconds} s${options.pin ? ', pinned' : ''}`,
  );
  console.log(
    `| checkout | req/s | CPU µs / req | paired ${rate === undefined ? 'req/s' : 'CPU µs / req'} ratio | q1 | q3 |`,
  );
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const [index, { name }] of servers.entries()) {
    const paired = figure[index]!.map((value, round) => value / figure[0]![round]!);
    console.log(
      `| ${name} | ${median(rps[index]!).toFixed(0)} | ${median(cpu[index]!).toFixed(0)} | ${median(paired).toFixed(3)} | ${quantile(paired, 0.25).toFixed(3)} | ${quantile(paired, 0.75).toFixed(3)} |`,
    );
    if (rate !== undefined && median(rps[index]!) < rate * 0.95) {
      console.log(`  ${name} did not keep up with ${rate} req/s: offer less for a fair comparison`);
    }
  }
} finally {
  await Promise.all([...servers.map(({ child }) => child.stop()), upstream.stop()]);
  if (certs !== undefined) rmSync(certs, { recursive: true, force: true });
}
