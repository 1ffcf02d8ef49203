import type { Command } from './command.ts';
import { demoCommand } from './demo.ts';
import { emulatorCommand } from './emulator.ts';
import { keygenCommand } from './keygen.ts';
import { loginCommand } from './login.ts';
import { serveCommand } from './serve.ts';
import { tokenCommand } from './token.ts';

/** Every command of the CLI, in the order `tokenswap --help` lists them. */
export const commands: readonly Command[] = [
  serveCommand,
  demoCommand,
  emulatorCommand,
  loginCommand,
  tokenCommand,
  keygenCommand,
];
