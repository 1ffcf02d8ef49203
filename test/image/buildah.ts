import { spawn } from 'node:child_process';

/**
 * buildah as this machine can run it: no Docker engine and no pulls, as root on vfs storage (no
 * overlay inside a sandbox) with chroot isolation (no user namespaces needed).
 */
export const BUILDAH_GLOBAL = ['--storage-driver', 'vfs'] as const;
export const BUILDAH_ISOLATION = ['--isolation', 'chroot'] as const;

/** Runs `buildah <args>` to completion; rejects with its output when it fails. */
export function buildah(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('buildah', [...BUILDAH_GLOBAL, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(stdout.trim());
      else reject(new Error(`buildah ${args.join(' ')} exited ${code}:\n${stderr}${stdout}`));
    });
  });
}

/** The parts of an image's Docker-format config the tests read (`buildah inspect`). */
export interface ImageConfig {
  readonly User?: string;
  readonly Env?: readonly string[];
  readonly Entrypoint?: readonly string[] | null;
  readonly Cmd?: readonly string[] | null;
  readonly WorkingDir?: string;
  readonly ExposedPorts?: Readonly<Record<string, unknown>>;
  readonly StopSignal?: string;
  readonly Healthcheck?: {
    readonly Test: readonly string[];
    readonly Interval?: number;
    readonly Timeout?: number;
    readonly StartPeriod?: number;
    readonly Retries?: number;
  };
}

export async function imageConfig(image: string): Promise<ImageConfig> {
  const inspected = JSON.parse(await buildah(['inspect', '--type', 'image', image])) as {
    Docker?: { config?: ImageConfig };
  };
  const config = inspected.Docker?.config;
  if (config === undefined) throw new Error(`${image} has no Docker-format config`);
  return config;
}

/** The image's size as `buildah images` reports it (e.g. `161 MB`). */
export async function imageSize(image: string): Promise<string> {
  const listed = JSON.parse(await buildah(['images', '--json', image])) as { size?: string }[];
  const size = listed[0]?.size;
  if (size === undefined) throw new Error(`buildah images did not list ${image}`);
  return size;
}
