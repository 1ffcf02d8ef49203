import { describe, expect, it } from 'vitest';
import { authorizeCode } from '../support/authorize.ts';
import { demoServerEnv, LISTENING, startCli } from '../support/cli-process.ts';
import { emulatorControl } from '../support/emulator-control.ts';
import { TEST_KEY } from '../support/test-app.ts';

describe('logs never leak a secret', () => {
  it('at the most verbose level, no secret, code, token, key or Authorization value reaches the output', async () => {
    const emulator = startCli(['emulator', '--port', '0']);
    const emulatorUrl = await emulator.waitFor(LISTENING);
    const control = emulatorControl(emulatorUrl);
    const server = startCli(['serve', '--port', '0', '--host', '127.0.0.1'], {
      ...demoServerEnv(emulatorUrl),
      TOKENSWAP_METRICS_TOKEN: 'metrics-bearer-secret',
      TOKENSWAP_UPSTREAM_TIMEOUT_MS: '1000',
      LOG_LEVEL: 'trace',
    });
    const serverUrl = await server.waitFor(LISTENING);
    const secrets = new Set<string>([
      'tokenswap-demo-secret',
      TEST_KEY.split(':')[1]!,
      'metrics-bearer-secret',
    ]);
    const post = async (
      path: string,
      fields: Record<string, string>,
      headers: Record<string, string> = {},
    ) => {
      const response = await fetch(`${serverUrl}${path}`, {
        method: 'POST',
        headers,
        body: new URLSearchParams(fields),
      });
      const body = (await response.json()) as Record<string, unknown>;
      for (const value of Object.values(body))
        if (typeof value === 'string' && value.length > 20) secrets.add(value);
      return body;
    };
    try {
      // The whole e2e traffic in small: every route, good and bad, faults with bodies that look like tokens.
      for (const path of [
        '/swap',
        '/api/token',
        '/token',
        '/authorization-code-flow/retrieve-tokens',
      ]) {
        const code = await authorizeCode(emulatorUrl);
        secrets.add(code);
        const tokens = await post(
          path,
          { code, grant_type: 'authorization_code' },
          {
            authorization: 'Bearer client-sent-bearer-value',
            'x-request-id': 'trace-me',
          },
        );
        await post('/refresh', { refresh_token: tokens.refresh_token as string });
        await post('/refresh', { refresh_token: `${tokens.refresh_token}x` });
        await post(path, { code, grant_type: 'authorization_code' });
      }
      secrets.add('client-sent-bearer-value');
      await control.fault({
        count: 2,
        status: 500,
        body: '{"error":"server_error","access_token":"em-at-LEAKED-IN-BODY"}',
      });
      await post('/swap', { code: 'em-code-LEAKED-CODE' });
      await control.fault({ count: 1, status: 200, body: '{"refresh_token":"em-rt-LEAKED"}' });
      await post('/swap', { code: 'em-code-OTHER' });
      await control.fault({ count: 1, drop: true });
      await post('/swap', { code: 'em-code-DROPPED' });
      await control.fault({ count: 1, delayMs: 1500 });
      await post('/swap', { code: 'em-code-SLOW' });
      await post('/swap', {
        code_verifier: 'verifier-that-is-secret-too-aaaaaaaaaaaaaaaaa',
        code: 'em-code-PKCE',
      });
      await fetch(`${serverUrl}/metrics`, {
        headers: { authorization: 'Bearer metrics-bearer-secret' },
      });
      await fetch(`${serverUrl}/refresh/em-rt-IN-PATH`, { method: 'POST' });
    } finally {
      expect(await server.stop()).toBe(0);
      await emulator.stop();
    }
    const output = server.output();
    expect(output).toContain('"msg":"request"');
    expect(output).toContain('trace-me');
    for (const secret of secrets) expect(output).not.toContain(secret);
    // Whatever the emulator issues is prefixed: none of it may appear.
    expect(output).not.toMatch(/em-(at|rt|code)-/);
    expect(output).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}/);
    expect(output).not.toContain('verifier-that-is-secret-too');
  });
});
