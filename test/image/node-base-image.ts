import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findExecutable } from '../support/system-tool.ts';
import { buildah } from './buildah.ts';

/** The project's pinned Node.js: the `node` dev dependency's install script puts the binary here. */
const PINNED_NODE = fileURLToPath(new URL('../../node_modules/node/bin/node', import.meta.url));
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The shared libraries `ldd` names for the given executables, the loader included. */
function sharedLibraries(executables: readonly string[]): string[] {
  const listed = execFileSync('ldd', executables, { encoding: 'utf8' });
  return [...new Set(listed.match(/\/\S+\.so(?:\.\d+)*/g) ?? [])];
}

function copyInto(root: string, from: string, to = from) {
  mkdirSync(join(root, dirname(to)), { recursive: true });
  cpSync(from, join(root, to), { dereference: true, recursive: true });
}

/**
 * Assembles, with buildah, a stand-in for the official `node:24` image where none can be pulled:
 * the pinned Node binary at `/usr/local/bin/node` with its shared libraries, this machine's npm
 * at `/usr/local/lib/node_modules/npm` (as the official image lays them out), `/bin/sh` and
 * `/usr/bin/env` (for `RUN` lines and npm's shebangs), the system's CA certificates, and a
 * non-root user `node` (uid 1000) with a home. It has what the Dockerfile asks of its base, and
 * nothing else: no package manager, no shell tools.
 */
export async function assembleNodeBase(tag: string): Promise<void> {
  const node = realpathSync(PINNED_NODE);
  const npmCli = findExecutable('npm');
  if (npmCli === undefined) throw new Error('npm is not on PATH: the base image takes its npm');
  const npm = dirname(dirname(realpathSync(npmCli)));
  const sh = realpathSync('/bin/sh');
  const env = realpathSync('/usr/bin/env');

  const staging = mkdtempSync(join(tmpdir(), 'tokenswap-node-base-'));
  const root = join(staging, 'root');
  try {
    copyInto(root, node, '/usr/local/bin/node');
    copyInto(root, npm, '/usr/local/lib/node_modules/npm');
    symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(root, 'usr/local/bin/npm'));
    symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(root, 'usr/local/bin/npx'));
    copyInto(root, sh, '/bin/sh');
    copyInto(root, env, '/usr/bin/env');
    for (const library of sharedLibraries([node, sh, env])) copyInto(root, library);
    copyInto(root, CA_BUNDLE);
    // npm trusts the system's bundle (this machine reaches the registry through it); Node's own
    // store is left as the official image has it.
    mkdirSync(join(root, 'usr/local/etc'), { recursive: true });
    writeFileSync(join(root, 'usr/local/etc/npmrc'), `cafile=${CA_BUNDLE}\n`);
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(
      join(root, 'etc/passwd'),
      'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n',
    );
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnode:x:1000:\n');
    for (const dir of ['tmp', 'root', 'home/node']) mkdirSync(join(root, dir), { recursive: true });
    chmodSync(join(root, 'tmp'), 0o1777);
    chmodSync(join(root, 'root'), 0o700);
    chownSync(join(root, 'home/node'), 1000, 1000);

    const archive = join(staging, 'root.tar');
    execFileSync('tar', ['-C', root, '-cf', archive, '.']);
    const container = await buildah(['from', 'scratch']);
    try {
      await buildah(['add', container, archive, '/']);
      await buildah(['config', '--env', `PATH=${PATH}`, '--cmd', 'node', container]);
      await buildah(['commit', '--quiet', container, tag]);
    } finally {
      await buildah(['rm', container]);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** The pinned Node version (`v24.…`), to compare with what runs in the image. */
export function pinnedNodeVersion(): string {
  return execFileSync(PINNED_NODE, ['--version'], { encoding: 'utf8' }).trim();
}
