import { type Command, type CommandIo, parseCommandArgs, UsageError } from './command.ts';
import { commands } from './commands.ts';

function generalHelp(): string {
  const names = Object.keys(commands);
  const width = Math.max(...names.map((name) => name.length));
  const lines = names.map((name) => `  ${name.padEnd(width)}  ${commands[name]!.summary}`);
  return [
    'Usage: tokenswap <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run "tokenswap <command> --help" for the options of one command.',
    '',
  ].join('\n');
}

function commandHelp(command: Command): string {
  return `${command.usage.trimEnd()}\n`;
}

function defaultIo(): CommandIo {
  const stopSignal = new Promise<string>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => resolve(signal));
    }
  });
  return {
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    stopSignal,
  };
}

/** Runs the CLI and returns the process exit code. */
export async function main(argv: readonly string[], io: CommandIo = defaultIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(generalHelp());
    return name === undefined ? 2 : 0;
  }
  const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (entry === undefined) {
    io.stderr(`tokenswap: unknown command "${name}"\n\n${generalHelp()}`);
    return 2;
  }
  const command = await entry.load();
  try {
    const values = parseCommandArgs(command, rest);
    if (values.help) {
      io.stdout(commandHelp(command));
      return 0;
    }
    return await command.run(values, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`tokenswap ${command.name}: ${error.message}\n\n${commandHelp(command)}`);
      return 2;
    }
    throw error;
  }
}
