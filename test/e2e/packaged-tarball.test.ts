import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess } from '../conformance/server-process.ts';
import { authorizeCode } from '../support/authorize.ts';
import { type CliProcess, demoServerEnv, LISTENING, startCli } from '../support/cli-process.ts';
import { expectSealedRefreshToken } from '../support/sealed-token.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
/** npm of the pinned Node, as `npm pack` and `npm install` run for a user. */
const NPM_ENV = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` };

interface LockEntry {
  readonly dev?: boolean;
  readonly [field: string]: unknown;
}

/**
 * A lock file for an app that depends only on the packed tarball: the tarball's entry, and the
 * project's own lock entries of everything it needs at run time (none of the dev ones).
 */
async function lockFor(filename: string) {
  const project = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
  const bytes = await readFile(join(work, filename));
  const packages: Record<string, unknown> = {
    '': { name: 'uses-tokenswap', dependencies: { tokenswap: `file:../${filename}` } },
    'node_modules/tokenswap': {
      version: manifest.version,
      resolved: `file:../${filename}`,
      integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
      license: manifest.license,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
    },
  };
  for (const [path, entry] of Object.entries(project.packages)) {
    if (path !== '' && entry.dev !== true && !('link' in entry)) packages[path] = entry;
  }
  return { name: 'uses-tokenswap', lockfileVersion: 3, requires: true, packages };
}

let work: string;
let tarball: string;
let emulator: CliProcess;
let emulatorUrl: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tokenswap-pack-'));
  emulator = startCli(['emulator', '--port', '0']);
  emulatorUrl = await emulator.waitFor(LISTENING);
  // What `npm pack` packs, built the way its `prepare` script builds it, but into a copy of the
  // package: building in the work tree would rewrite dist/ under the other suites' CLIs.
  const stage = join(work, 'stage');
  await mkdir(stage);
  for (const entry of ['package.json', 'README.md', 'bin', 'examples']) {
    await cp(join(ROOT, entry), join(stage, entry), { recursive: true });
  }
  await run(process.execPath, [
    TSC,
    '-p',
    join(ROOT, 'tsconfig.build.json'),
    '--outDir',
    join(stage, 'dist'),
  ]);
  await writeFile(join(stage, 'dist', '.build-stamp'), '');
  const packed = await run(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--pack-destination', work],
    {
      cwd: stage,
      env: NPM_ENV,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  tarball = join(work, filename);
  const app = join(work, 'app');
  await mkdir(app);
  await writeFile(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'uses-tokenswap',
      private: true,
      dependencies: { tokenswap: `file:../${filename}` },
    }),
  );
  await writeFile(join(app, 'package-lock.json'), JSON.stringify(await lockFor(filename)));
  // Offline, from the lock file: every dependency's tarball is in npm's cache (npm ci put it
  // there), and a lock file needs no registry metadata.
  await run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--omit=dev'], {
    cwd: app,
    env: NPM_ENV,
  });
}, 180_000);

afterAll(async () => {
  await emulator?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('npm pack makes a package that works from a clean directory', () => {
  it('holds the compiled code, not the TypeScript sources or tests', async () => {
    const listing = await run('tar', ['-tzf', tarball]);
    const files = listing.stdout.split('\n').filter((f) => f !== '');
    expect(files).toContain('package/bin/tokenswap.js');
    expect(files).toContain('package/dist/cli/main.js');
    expect(files).toContain('package/dist/adapters/deno/index.js');
    expect(files.filter((f) => f.startsWith('package/src/'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.test.js') || f.endsWith('.test.ts'))).toEqual([]);
  });

  it('npx tokenswap serve runs from dist/ alone and serves a swap', async () => {
    const installed = join(work, 'app', 'node_modules', 'tokenswap');
    expect(await readdir(installed)).not.toContain('src');
    const server = await startServerProcess(
      process.execPath,
      [join(work, 'app', 'node_modules', '.bin', 'tokenswap'), 'serve', '--port', '0'],
      { ...demoServerEnv(emulatorUrl), HOST: '127.0.0.1' },
    );
    try {
      const swap = await fetch(`${server.url}/swap`, {
        method: 'POST',
        body: new URLSearchParams({ code: await authorizeCode(emulatorUrl) }),
      });
      expect(swap.status).toBe(200);
      const body = (await swap.json()) as { access_token: unknown; refresh_token: unknown };
      expect(typeof body.access_token).toBe('string');
      await expectSealedRefreshToken(body.refresh_token, 'tokenswap-demo');
    } finally {
      await server.stop();
    }
  });

  it('names each adapter in its exports', async () => {
    const script = `
      const names = {
        'tokenswap/deno': 'startDenoServer',
        'tokenswap/bun': 'startBunServer',
        'tokenswap/aws-lambda': 'createLambdaHandler',
        'tokenswap/vercel': 'createVercelHandler',
        'tokenswap/client': 'createTokenSwapClient',
        'tokenswap/client/bff': 'createBffClient',
        'tokenswap/emulator': 'createEmulator',
      };
      for (const [specifier, name] of Object.entries(names)) {
        const module = await import(specifier);
        console.log(specifier, typeof module[name]);
      }`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: join(work, 'app'),
    });
    expect(stdout.trim().split('\n')).toEqual([
      'tokenswap/deno function',
      'tokenswap/bun function',
      'tokenswap/aws-lambda function',
      'tokenswap/vercel function',
      'tokenswap/client function',
      'tokenswap/client/bff function',
      'tokenswap/emulator function',
    ]);
  });
});
