import { afterEach, describe, expect, it, vi } from 'vitest';
import { requireTool, runningUnderCi } from '../../support/system-tool.ts';

const MISSING = '/nonexistent/tokenswap-test-tool';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('suites that need a system tool (redis-server, chromium)', () => {
  it('run when the tool is there', () => {
    vi.stubEnv('CI', 'true');
    expect(requireTool(process.execPath, 'install node')).toBe(true);
  });

  it.each(['', 'false', '0'])('skip with a message saying how to install it when CI=%j', (ci) => {
    vi.stubEnv('CI', ci);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(requireTool(MISSING, 'apt-get install -y it')).toBe(false);
    expect(warn).toHaveBeenCalledWith(
      `skipping: ${MISSING} is not installed: apt-get install -y it`,
    );
  });

  it.each(['true', 'TRUE', '1', 'yes'])('fail when CI=%s', (ci) => {
    vi.stubEnv('CI', ci);
    expect(() => requireTool(MISSING, 'apt-get install -y it')).toThrow(
      `${MISSING} is not installed: apt-get install -y it (required under CI=true)`,
    );
  });

  it('reads CI as CI services set it', () => {
    expect(runningUnderCi({})).toBe(false);
    expect(runningUnderCi({ CI: 'true' })).toBe(true);
    expect(runningUnderCi({ CI: 'false' })).toBe(false);
  });
});
