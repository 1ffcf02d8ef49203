import type { Command } from './command.ts';
import { emulatorCommand } from './emulator.ts';
import { keygenCommand } from './keygen.ts';
import { serveCommand } from './serve.ts';

/** Every command of the CLI, in the order `tokenswap --help` lists them. */
export const commands: readonly Command[] = [serveCommand, emulatorCommand, keygenCommand];
