import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands.ts';
import { main } from '../../src/cli/main.ts';
import { captureIo } from '../support/capture-io.ts';

describe('tokenswap CLI', () => {
  it('prints the command list for --help and exits 0', async () => {
    const io = captureIo();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out()).toContain('Usage: tokenswap <command>');
  });

  it('rejects an unknown command with exit code 2', async () => {
    const io = captureIo();
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(io.err()).toContain('unknown command "frobnicate"');
  });

  it('takes no property of a plain object for a command', async () => {
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      const io = captureIo();
      expect(await main([name], io)).toBe(2);
      expect(io.err()).toContain(`unknown command "${name}"`);
    }
  });

  it('lists every command with its summary, and loads each under the name it is listed by', async () => {
    const io = captureIo();
    await main(['--help'], io);
    for (const [name, entry] of Object.entries(commands)) {
      expect(io.out()).toMatch(
        new RegExp(`^  ${name} +${entry.summary.replace(/[().]/g, '\\$&')}$`, 'm'),
      );
      const command = await entry.load();
      expect(command.name).toBe(name);
      const help = captureIo();
      expect(await main([name, '--help'], help)).toBe(0);
      expect(help.out()).toBe(`${command.usage.trimEnd()}\n`);
    }
  });
});
