import { describe, expect, it } from 'vitest';
import type {
  UpstreamClient,
  UpstreamResponse,
} from '../../../src/core/upstream/upstream-client.ts';
import { sealForTest } from '../../support/sealed-token.ts';
import { formPost, testApp } from '../../support/test-app.ts';

interface Counted {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string>;
  bodyReads: number;
  headerReads: Record<string, number>;
}

/** An upstream whose answers count how often their body and each header are read. */
function countingUpstream(...script: Omit<Counted, 'bodyReads' | 'headerReads'>[]) {
  const answers: Counted[] = script.map((a) => ({ ...a, bodyReads: 0, headerReads: {} }));
  let next = 0;
  const client: UpstreamClient = {
    async post(): Promise<UpstreamResponse> {
      const answer = answers[next++];
      if (answer === undefined) throw new Error('unexpected upstream call');
      return {
        status: answer.status,
        header(name) {
          answer.headerReads[name] = (answer.headerReads[name] ?? 0) + 1;
          return answer.headers[name];
        },
        get body() {
          answer.bodyReads++;
          return answer.body;
        },
      };
    },
  };
  return { client, answers };
}

describe('each upstream answer is read once, for retries, metrics and the answer alike', () => {
  it('a refresh that meets 503 twice: each body parsed once, each Retry-After read once', async () => {
    const unavailable = {
      status: 503,
      body: '{"error":"server_error"}',
      headers: { 'content-type': 'application/json', 'retry-after': '0' },
    };
    const { client, answers } = countingUpstream(unavailable, unavailable);
    const { app } = await testApp(client);
    const response = await app.fetch(
      formPost('/refresh', { refresh_token: await sealForTest('r', 'test-client') }),
    );
    expect(response.status).toBe(502);
    expect(response.headers.get('retry-after')).toBe('0');
    for (const answer of answers) {
      expect(answer.bodyReads).toBe(1);
      expect(answer.headerReads['retry-after']).toBe(1);
    }
  });

  it('a 429 and a refusal: the body parsed once, Retry-After read at most once', async () => {
    const { client, answers } = countingUpstream(
      { status: 429, body: '{}', headers: { 'retry-after': '12' } },
      {
        status: 400,
        body: '{"error":"invalid_grant","error_description":"Invalid authorization code"}',
        headers: {},
      },
    );
    const { app } = await testApp(client);
    expect((await app.fetch(formPost('/swap', { code: 'a' }))).headers.get('retry-after')).toBe(
      '12',
    );
    expect((await app.fetch(formPost('/swap', { code: 'b' }))).status).toBe(400);
    expect(answers.map((a) => a.bodyReads)).toEqual([1, 1]);
    // A refusal says nothing of waiting: its Retry-After is not even looked at.
    expect(answers.map((a) => a.headerReads['retry-after'] ?? 0)).toEqual([1, 0]);
  });
});
