import { describe, expect, it } from 'vitest';
import { webCryptoAnswerCipher } from '../../../src/core/state/answer-cipher.ts';
import { MemoryStore } from '../../../src/core/state/memory-store.ts';
import { RefreshCoalescer } from '../../../src/core/state/refresh-coalescer.ts';
import { nodeAnswerCipher } from '../../../src/node/node-answer-cipher.ts';
import { createRandomPool } from '../../../src/node/random-pool.ts';

describe('the coalescing window’s cipher', () => {
  const web = webCryptoAnswerCipher();
  const node = nodeAnswerCipher(createRandomPool());

  it('hashes and encrypts the same way on Web Crypto and node:crypto', async () => {
    expect(await web.id('token', 'app')).toBe(await node.id('token', 'app'));
    expect(await web.id('token', 'app')).not.toBe(await web.id('token', 'other-app'));
    const fromNode = await node.seal('token', 'app', '{"a":1}');
    const fromWeb = await web.seal('token', 'app', '{"a":1}');
    expect(await web.open('token', 'app', fromNode)).toBe('{"a":1}');
    expect(await node.open('token', 'app', fromWeb)).toBe('{"a":1}');
  });

  it('opens only for the holder of the same token and app', async () => {
    for (const cipher of [web, node]) {
      const sealed = await cipher.seal('token', 'app', 'answer');
      expect(await cipher.open('other-token', 'app', sealed)).toBeUndefined();
      expect(await cipher.open('token', 'other-app', sealed)).toBeUndefined();
      expect(await cipher.open('token', 'app', `${sealed.slice(0, -2)}AA`)).toBeUndefined();
      expect(await cipher.open('token', 'app', 'garbage')).toBeUndefined();
    }
  });

  it('serves the coalescer: instances with different ciphers share kept answers', async () => {
    const store = new MemoryStore();
    const a = new RefreshCoalescer<string>({ store, cipher: node });
    const b = new RefreshCoalescer<string>({ store, cipher: web });
    let calls = 0;
    expect(await a.run('t', 'app', async () => `answer-${++calls}`)).toBe('answer-1');
    expect(await b.run('t', 'app', async () => `answer-${++calls}`)).toBe('answer-1');
    expect(calls).toBe(1);
  });
});
