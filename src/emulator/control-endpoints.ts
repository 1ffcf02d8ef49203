import { Hono } from 'hono';
import { TEST_USERS } from './catalog.ts';
import type { EmulatorContext } from './emulator-context.ts';
import { parseFault } from './faults.ts';

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

async function readJson(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    return undefined;
  }
}

/** `/__emulator/…`: fault drills, request counts, revocation and forced expiry, for tests. */
export function controlEndpoints(ctx: EmulatorContext): Hono {
  const routes = new Hono();
  routes.post('/faults', async (c) => {
    try {
      ctx.faults.add(parseFault(await readJson(c.req.raw)));
    } catch (error) {
      return json({ error: 'invalid_fault', error_description: (error as Error).message }, 400);
    }
    return json({ status: 'armed' });
  });
  routes.delete('/faults', () => {
    ctx.faults.clear();
    return json({ status: 'cleared' });
  });
  routes.get('/stats', () => json({ token_requests: ctx.state.stats }));
  routes.delete('/stats', () => {
    ctx.state.resetStats();
    return json({ token_requests: ctx.state.stats });
  });
  routes.post('/revoke', async (c) => {
    const body = (await readJson(c.req.raw)) as { user?: unknown } | undefined;
    const user = TEST_USERS.find((u) => u.id === body?.user);
    if (user === undefined) {
      return json({ error: 'invalid_user', error_description: 'user must be alice or bob' }, 400);
    }
    let revoked = 0;
    for (const grant of ctx.state.refreshTokens.values()) {
      if (grant.userId === user.id && !grant.revoked) {
        grant.revoked = true;
        revoked++;
      }
    }
    // Revoking the app also ends the access tokens it holds for the user.
    for (const [token, grant] of ctx.state.accessTokens) {
      if (grant.userId === user.id) ctx.state.accessTokens.delete(token);
    }
    return json({ revoked_refresh_tokens: revoked });
  });
  routes.post('/expire-access-tokens', () => {
    const now = ctx.now();
    for (const grant of ctx.state.accessTokens.values())
      grant.expiresAt = Math.min(grant.expiresAt, now);
    return json({ expired: ctx.state.accessTokens.size });
  });
  return routes;
}
