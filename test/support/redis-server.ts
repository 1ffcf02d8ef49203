import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { freePort } from './free-port.ts';

/**
 * A real `redis-server` on a free loopback port, nothing persisted; can be stopped and restarted,
 * or paused (SIGSTOP: its connections stay open, nothing is answered) and resumed.
 */
export class RedisServer {
  readonly port: number;
  #child: ChildProcess | undefined;

  private constructor(port: number) {
    this.port = port;
  }

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.#child = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start:\n${output}`)),
        10_000,
      );
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${output}`));
      });
    });
  }

  /** SIGSTOP; resolves once the kernel reports the process stopped. */
  async pause(): Promise<void> {
    await this.#signal('SIGSTOP', 'T');
  }

  /** SIGCONT; resolves once the process runs again. */
  async resume(): Promise<void> {
    await this.#signal('SIGCONT', 'RS');
  }

  async #signal(signal: 'SIGSTOP' | 'SIGCONT', states: string): Promise<void> {
    const pid = this.#child?.pid;
    if (pid === undefined) throw new Error('redis-server is not running');
    process.kill(pid, signal);
    // The state letter after the command name in /proc/<pid>/stat (Linux): bounded wait for it.
    for (let attempt = 0; attempt < 200; attempt++) {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (states.includes(state)) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`redis-server did not reach state ${states} after ${signal}`);
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.#child = undefined;
  }
}
