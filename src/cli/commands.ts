import type { Command } from './command.ts';

/** A command as `tokenswap --help` lists it; its modules are loaded only when it runs. */
export interface CommandEntry {
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

/**
 * Every command of the CLI by name, in the order `tokenswap --help` lists them. Each is
 * imported on demand: `tokenswap serve` does not load the emulator, the demo or the login flow,
 * which would add tens of milliseconds to every start.
 */
export const commands: Readonly<Record<string, CommandEntry>> = {
  serve: {
    summary: 'run the token swap server',
    load: async () => (await import('./serve.ts')).serveCommand,
  },
  demo: {
    summary: 'run the emulator, a swap server and the browser app together, offline',
    load: async () => (await import('./demo.ts')).demoCommand,
  },
  emulator: {
    summary: "run a local emulator of Spotify's accounts service, or of another provider",
    load: async () => (await import('./emulator.ts')).emulatorCommand,
  },
  login: {
    summary: 'log in from a terminal through a swap server',
    load: async () => (await import('./login.ts')).loginCommand,
  },
  token: {
    summary: 'print a valid access token (refreshing it first if needed)',
    load: async () => (await import('./token.ts')).tokenCommand,
  },
  keygen: {
    summary: 'print a fresh key for TOKENSWAP_ENCRYPTION_KEYS',
    load: async () => (await import('./keygen.ts')).keygenCommand,
  },
};
