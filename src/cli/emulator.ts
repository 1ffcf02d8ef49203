import { redirectUriProblem } from '../config/redirect-uri-check.ts';
import { DEMO_APP } from '../emulator/catalog.ts';
import { startEmulatorServer } from '../emulator/node-server.ts';
import { EMULATED_PROVIDERS } from '../emulator/profiles/index.ts';
import { type Command, parsePortFlag, UsageError } from './command.ts';

const USAGE = `Usage: tokenswap emulator [--provider NAME] [--github-app] [--port 4100] [--host 127.0.0.1]
                          [--client-id ID] [--client-secret SECRET] [--redirect-uri URI]...
                          [--code-ttl SECONDS] [--token-ttl SECONDS]

Runs a local emulator of Spotify's accounts service (and GET /v1/me of the Web API), or with
--provider of another provider's authorize page and token endpoint, quirks included, for
development and tests without internet or an account. Without flags it registers the
demo app: client id ${DEMO_APP.clientId}, secret ${DEMO_APP.clientSecret},
redirect URI ${DEMO_APP.redirectUris[0]} (a loopback URI without a port matches any port).
Test users: alice (premium), bob (free).

Endpoints (Spotify): GET/POST /authorize, POST /api/token, GET /v1/me; other providers
answer at their own paths (GitHub: /login/oauth/authorize, /login/oauth/access_token, /user);
for tests and fault drills, with every provider:
POST/DELETE /__emulator/faults, GET/DELETE /__emulator/stats, POST /__emulator/revoke,
POST /__emulator/expire-access-tokens.

Options:
  --provider NAME        ${EMULATED_PROVIDERS.join(', ')} (default spotify)
  --github-app           with --provider github: a GitHub App with expiring user tokens and
                         rotating refresh tokens (default: an OAuth app, tokens never expire)
  --port PORT            port (default 4100; 0 picks a free one)
  --host HOST            address (default 127.0.0.1)
  --client-id ID         the registered app's client id
  --client-secret SECRET its secret
  --redirect-uri URI     a registered redirect URI (repeat for more)
  --code-ttl SECONDS     authorization code lifetime (default 600)
  --token-ttl SECONDS    access token lifetime (default 3600, or the provider's)
  -h, --help             show this help
`;

function seconds(value: unknown, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new UsageError(`${flag} must be a whole number of seconds`);
  return parsed;
}

export const emulatorCommand: Command = {
  name: 'emulator',
  usage: USAGE,
  options: {
    provider: { type: 'string' },
    'github-app': { type: 'boolean' },
    port: { type: 'string' },
    host: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    'code-ttl': { type: 'string' },
    'token-ttl': { type: 'string' },
  },
  async run(values, io) {
    const redirectUris = (values['redirect-uri'] as string[] | undefined) ?? [
      ...DEMO_APP.redirectUris,
    ];
    for (const uri of redirectUris) {
      const problem = redirectUriProblem(uri);
      if (problem) throw new UsageError(`--redirect-uri: ${problem}`);
    }
    const clientId = (values['client-id'] as string | undefined) ?? DEMO_APP.clientId;
    const givenSecret = values['client-secret'] as string | undefined;
    const provider = (values.provider as string | undefined)?.toLowerCase() ?? 'spotify';
    if (!EMULATED_PROVIDERS.includes(provider)) {
      throw new UsageError(`--provider must be one of ${EMULATED_PROVIDERS.join(', ')}`);
    }
    if (values['github-app'] === true && provider !== 'github') {
      throw new UsageError('--github-app goes with --provider github');
    }
    const running = await startEmulatorServer({
      provider,
      githubApp: values['github-app'] === true,
      app: { clientId, clientSecret: givenSecret ?? DEMO_APP.clientSecret, redirectUris },
      host: (values.host as string | undefined) ?? '127.0.0.1',
      port: parsePortFlag(values.port, '--port') ?? 4100,
      codeTtlSeconds: seconds(values['code-ttl'], '--code-ttl', 600),
      ...(values['token-ttl'] !== undefined && {
        tokenTtlSeconds: seconds(values['token-ttl'], '--token-ttl', 3600),
      }),
    });
    io.stdout(`emulator listening on ${running.url}\n`);
    if (provider !== 'spotify') io.stdout(`  provider:      ${provider}\n`);
    io.stdout(`  client id:     ${clientId}\n`);
    // A secret given on the command line is the user's: never printed. The demo one is public.
    io.stdout(
      `  client secret: ${givenSecret === undefined ? DEMO_APP.clientSecret : '(as given)'}\n`,
    );
    io.stdout(`  redirect URIs: ${redirectUris.join(' ')}\n`);
    io.stdout(`  test users:    alice, bob\n`);
    await io.stopSignal;
    await running.close();
    return 0;
  },
};
