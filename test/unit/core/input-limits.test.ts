import { describe, expect, it } from 'vitest';
import { TOKEN_REQUEST_LIMITS } from '../../../src/core/http/token-request-limits.ts';
import { scriptedUpstream } from '../../support/scripted-upstream.ts';
import { formPost, testApp } from '../../support/test-app.ts';

const { fields: MAX_FIELDS, nameLength: MAX_NAME, valueLength: MAX_VALUE } = TOKEN_REQUEST_LIMITS;

function jsonPost(path: string, body: Record<string, string>): Request {
  return new Request(`http://swap.test${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Every encoding a client may use, for one set of fields. */
const ENCODINGS: [string, (path: string, fields: Record<string, string>) => Request][] = [
  ['form', (path, fields) => formPost(path, fields)],
  ['JSON', jsonPost],
];

function manyFields(count: number): Record<string, string> {
  const fields: Record<string, string> = { code: 'c' };
  for (let i = 1; i < count; i++) fields[`extra${i}`] = 'x';
  return fields;
}

async function refused(request: Request) {
  const upstream = scriptedUpstream();
  const { app } = await testApp(upstream);
  const response = await app.fetch(request);
  expect(upstream.calls).toHaveLength(0);
  expect(response.status).toBe(400);
  expect(response.headers.get('content-type')).toBe('application/json');
  const body = (await response.json()) as { error: string; error_description: string };
  expect(body.error).toBe('invalid_request');
  return body.error_description;
}

describe('token request input limits', () => {
  it.each(ENCODINGS)('refuses more than 32 fields (%s)', async (_, post) => {
    const description = await refused(post('/swap', manyFields(MAX_FIELDS + 1)));
    expect(description).toBe(`request must have at most ${MAX_FIELDS} fields`);
  });

  it.each(ENCODINGS)('refuses a field name over 64 characters (%s)', async (_, post) => {
    const name = 'n'.repeat(MAX_NAME + 1);
    const description = await refused(post('/swap', { code: 'c', [name]: 'x' }));
    expect(description).toBe(`field names must be at most ${MAX_NAME} characters`);
    // The over-long name is not echoed back.
    expect(description).not.toContain(name);
  });

  it.each(ENCODINGS)(
    'refuses a code over 4096 characters, naming the field (%s)',
    async (_, post) => {
      const description = await refused(post('/swap', { code: 'c'.repeat(MAX_VALUE + 1) }));
      expect(description).toBe(`code must be at most ${MAX_VALUE} characters`);
    },
  );

  it('refuses a non-string JSON member with an over-long name by its length, not its name', async () => {
    const name = 'n'.repeat(1_000);
    const request = new Request('http://swap.test/swap', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'c', [name]: 1 }),
    });
    const description = await refused(request);
    expect(description).not.toContain(name);
  });

  it('accepts exactly the limits', async () => {
    const upstream = scriptedUpstream({
      body: { access_token: 'a', token_type: 'Bearer', expires_in: 3600, scope: '' },
    });
    const { app } = await testApp(upstream);
    const fields = manyFields(MAX_FIELDS - 1);
    fields.code = 'c'.repeat(MAX_VALUE);
    fields['n'.repeat(MAX_NAME)] = 'x';
    const response = await app.fetch(formPost('/swap', fields));
    expect(response.status).toBe(200);
    expect(upstream.calls[0]!.form.get('code')).toHaveLength(MAX_VALUE);
  });
});
