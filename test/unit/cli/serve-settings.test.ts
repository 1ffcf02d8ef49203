import { describe, expect, it } from 'vitest';
import { missingServeSettings, SERVE_ENV, SERVE_V8_FLAGS } from '../../../bin/serve-settings.js';

const SERVE = {
  argv: ['/usr/bin/node', '/app/bin/tokenswap.js', 'serve'],
  execArgv: [],
  env: {},
  platform: 'linux',
  canExecve: true,
};

describe('the settings `tokenswap serve` restarts with', () => {
  it('are every flag and variable when the user set none', () => {
    expect(missingServeSettings(SERVE)).toEqual({ flags: [...SERVE_V8_FLAGS], env: SERVE_ENV });
  });

  it('leave out what the user chose, however it is spelled', () => {
    const missing = missingServeSettings({
      ...SERVE,
      execArgv: ['--maglev', '--allocation_site_pretenuring'],
      env: { NODE_OPTIONS: '--max_semi_space_size=32 --inspect', MALLOC_ARENA_MAX: '4' },
    });
    expect(missing).toEqual({ flags: ['--heap-growing-percent=25'], env: {} });
  });

  it('are nothing once all are set: the restarted process does not restart again', () => {
    const restarted = { ...SERVE, execArgv: [...SERVE_V8_FLAGS], env: { ...SERVE_ENV } };
    expect(missingServeSettings(restarted)).toBeUndefined();
  });

  it('are nothing for other commands, on Windows, or where Node cannot replace a process', () => {
    expect(missingServeSettings({ ...SERVE, argv: [...SERVE.argv.slice(0, 2), 'login'] })).toBe(
      undefined,
    );
    expect(missingServeSettings({ ...SERVE, platform: 'win32' })).toBeUndefined();
    expect(missingServeSettings({ ...SERVE, canExecve: false })).toBeUndefined();
  });
});
