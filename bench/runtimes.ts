/**
 * `npm run bench:runtimes [-- --rounds N] [--seconds S] [--connections C]`: the same server
 * under Node (`tokenswap serve`), Deno (`npm run serve:deno`'s entry) and Bun (`serve:bun`'s),
 * each in front of one canned upstream, in interleaved rounds per path; prints requests per
 * second and CPU time per request (the server process's, from /proc), with each runtime's
 * requests per second paired with Node's round by round.
 */
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from '../test/support/free-port.ts';
import { appEnv, type Child, cpuMicros, startServer, startUpstream } from './processes.ts';
import { load, median, quantile, requestBodies, SERVER_ENV, WARM_UP_SECONDS } from './workload.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values: options } = parseArgs({
  options: {
    rounds: { type: 'string', default: '6' },
    seconds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '64' },
  },
});
const rounds = Number(options.rounds);
const seconds = Number(options.seconds);
const connections = Number(options.connections);

/** A runtime's own binary running an entry, its output to /dev/null, once `/healthz` answers. */
async function startRuntime(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<Child> {
  const port = await freePort();
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH ?? '', ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', openSync('/dev/null', 'w'), 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`${command} exited (${code})`))),
  );
  exited.catch(() => {});
  for (;;) {
    const up = await Promise.race([
      fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      ),
      exited,
    ]);
    if (up) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    process: child,
    url,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

const bin = (name: string) => `${ROOT}node_modules/.bin/${name}`;
const bodies = await requestBodies();
const upstream = await startUpstream();
const servers: { name: string; child: Child }[] = [];
try {
  const env = { ...appEnv(upstream), ...SERVER_ENV, LOG_LEVEL: 'info' };
  servers.push({ name: 'node', child: await startServer(ROOT, env) });
  servers.push({
    name: 'deno',
    child: await startRuntime(
      bin('deno'),
      [
        'run',
        '--no-lock',
        '--allow-net',
        '--allow-env',
        '--allow-sys',
        `${ROOT}src/adapters/deno/main.ts`,
      ],
      env,
    ),
  });
  servers.push({
    name: 'bun',
    child: await startRuntime(bin('bun'), ['run', `${ROOT}src/adapters/bun/main.ts`], env),
  });
  console.log(
    `plain upstream, ${connections} connections, ${rounds} interleaved rounds of ${seconds} s per path`,
  );
  console.log('| path | runtime | req/s | CPU µs / req | paired req/s vs node | q1 | q3 |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const path of ['/swap', '/refresh'] as const) {
    for (const { child } of servers) {
      await load(child.url, path, bodies[path], connections, WARM_UP_SECONDS);
    }
    const rps = servers.map((): number[] => []);
    const cpu = servers.map((): number[] => []);
    for (let round = 0; round < rounds; round++) {
      const order = [...servers.entries()];
      if (round % 2 === 1) order.reverse();
      for (const [index, { name, child }] of order) {
        const before = cpuMicros(child.process.pid);
        const result = await load(child.url, path, bodies[path], connections, seconds);
        if (result.errors + result.timeouts + result.non2xx > 0) {
          throw new Error(`${name} answered errors or non-2xx on ${path}: not comparable`);
        }
        rps[index]!.push(result.requests.average);
        cpu[index]!.push(
          (cpuMicros(child.process.pid) - before) / Math.max(1, result.requests.total),
        );
      }
    }
    for (const [index, { name }] of servers.entries()) {
      const paired = rps[index]!.map((value, round) => value / rps[0]![round]!);
      console.log(
        `| ${path} | ${name} | ${median(rps[index]!).toFixed(0)} | ${median(cpu[index]!).toFixed(0)} | ${median(paired).toFixed(3)} | ${quantile(paired, 0.25).toFixed(3)} | ${quantile(paired, 0.75).toFixed(3)} |`,
      );
    }
  }
} finally {
  await Promise.all([...servers.map(({ child }) => child.stop()), upstream.stop()]);
}
