import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conformanceSuite } from '../conformance/conformance-suite.ts';
import { demoServerEnv } from '../support/cli-process.ts';
import { requireTool } from '../support/system-tool.ts';
import { BUILDAH_ISOLATION, buildah, type ImageConfig, imageConfig, imageSize } from './buildah.ts';
import { buildahRun, exitCode, startContainer } from './container-run.ts';
import { assembleNodeBase, pinnedNodeVersion } from './node-base-image.ts';

// The repository's Dockerfile, built as a user builds it, on a base assembled from the pinned
// Node binary (no image can be pulled here), then run with `buildah run`, as `docker run` would.
const available = requireTool(
  'buildah',
  'apt-get install buildah (Debian; .ci/run installs it) to build and run the container image',
);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TAG = `${process.pid}-${Date.now().toString(36)}`;
const BASE = `localhost/tokenswap-test-node-base:${TAG}`;
const IMAGE = `localhost/tokenswap-test:${TAG}`;

let container: string | undefined;
let config: ImageConfig;
/** Images this run made, removed at the end (tags are unique to the run). */
const images: string[] = [];
const figures: Record<string, string> = {};
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

beforeAll(async () => {
  if (!available) return;
  let since = performance.now();
  await assembleNodeBase(BASE);
  images.push(BASE);
  figures['base assembled in'] = seconds(since);
  since = performance.now();
  await buildah([
    'bud',
    ...BUILDAH_ISOLATION,
    '--network',
    'host',
    // Docker's format keeps HEALTHCHECK (OCI's has no field for it).
    '--format',
    'docker',
    '--build-arg',
    `NODE_IMAGE=${BASE}`,
    '--file',
    `${ROOT}Dockerfile`,
    '--tag',
    IMAGE,
    ROOT,
  ]);
  images.push(IMAGE);
  figures['image built in'] = seconds(since);
  figures['image size'] = await imageSize(IMAGE);
  figures['base size'] = await imageSize(BASE);
  config = await imageConfig(IMAGE);
  container = await buildah(['from', IMAGE]);
}, 20 * 60_000);

afterAll(async () => {
  if (!available) return;
  if (container !== undefined) await buildah(['rm', container]);
  if (images.length > 0) await buildah(['rmi', ...images.reverse()]);
  console.log(
    `container image figures:\n${Object.entries(figures)
      .map(([what, value]) => `  ${what}: ${value}`)
      .join('\n')}`,
  );
}, 120_000);

/** Runs a Node script in the container as its user, and parses what it prints as JSON. */
async function inContainer<T>(script: string): Promise<T> {
  const child = buildahRun(container!, ['node', '-e', script]);
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  expect(await exitCode(child)).toBe(0);
  return JSON.parse(stdout) as T;
}

describe.skipIf(!available)('the container image', () => {
  it('runs tokenswap serve as a non-root user, with a HEALTHCHECK and SIGTERM to stop', () => {
    expect(config.User).toBe('node');
    expect(config.Entrypoint).toEqual(['node', '/app/bin/tokenswap.js']);
    expect(config.Cmd).toEqual(['serve']);
    expect(config.StopSignal).toBe('SIGTERM');
    expect(Object.keys(config.ExposedPorts ?? {})).toEqual(['3000/tcp']);
    expect(config.Env).toEqual(expect.arrayContaining(['NODE_ENV=production', 'PORT=3000']));
    expect(config.Healthcheck?.Test[0]).toBe('CMD');
  });

  it('holds the compiled server and its runtime dependencies only', async () => {
    const seen = await inContainer<{
      uid: number;
      version: string;
      app: string[];
      modules: string[];
    }>(`
      const { readdirSync } = require('node:fs');
      console.log(JSON.stringify({
        uid: process.getuid(),
        version: process.version,
        app: readdirSync('/app').sort(),
        modules: readdirSync('/app/node_modules'),
      }));`);
    expect(seen.uid).not.toBe(0);
    expect(seen.version).toBe(pinnedNodeVersion());
    // No sources, tests, .env or build configuration: what runs is dist/.
    expect(seen.app).toEqual(['bin', 'dist', 'node_modules', 'package-lock.json', 'package.json']);
    expect(seen.modules).toEqual(expect.arrayContaining(['hono', 'pino', 'undici']));
    for (const devTool of ['typescript', 'vitest', '@biomejs', 'node', 'deno', 'bun']) {
      expect(seen.modules).not.toContain(devTool);
    }
  });

  it('answers its HEALTHCHECK once started, and fails it once stopped', async () => {
    // The first start in a new container: no compile cache yet, as after `docker run`.
    const server = await startContainer(container!, config, demoServerEnv('http://127.0.0.1:9'));
    try {
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      figures['cold start to first answer'] = seconds(server.startedAt);
      // Docker runs the check inside the container, whose PORT is where the server listens.
      const check = () =>
        exitCode(
          buildahRun(container!, config.Healthcheck!.Test.slice(1), {
            env: { PORT: new URL(server.url).port },
          }),
        );
      expect(await check()).toBe(0);
      expect(await server.terminate!()).toBe(0);
      expect(await check()).toBe(1);
    } finally {
      await server.stop();
    }
  });
});

conformanceSuite(
  {
    name: 'container image: buildah run',
    start: (env) => startContainer(container!, config, env),
    capabilities: { sigterm: true },
  },
  { skip: !available && 'buildah is not installed' },
);
