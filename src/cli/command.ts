import { type ParseArgsConfig, parseArgs } from 'node:util';

/** What a command may touch of the outside world; injected so commands run in tests. */
export interface CommandIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  /** Resolves when the user asks the process to stop (SIGINT/SIGTERM). */
  readonly stopSignal: Promise<string>;
}

export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  readonly name: string;
  readonly usage: string;
  readonly options: CommandOptions;
  run(values: Record<string, unknown>, io: CommandIo): Promise<number>;
}

/** A command-line mistake: reported with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseCommandArgs(command: Command, argv: readonly string[]) {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    });
    return values as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** Parses a TCP port flag, throwing a usage error that names the flag. */
export function parsePortFlag(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(
      `${flag} must be a port number between 0 and 65535, got "${String(value)}"`,
    );
  }
  return port;
}
