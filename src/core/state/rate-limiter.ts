import type { StateStore } from './state-store.ts';

export interface RateLimitRule {
  readonly limit: number;
  readonly windowMs: number;
}

const UNITS: Readonly<Record<string, number>> = {
  s: 1_000,
  sec: 1_000,
  second: 1_000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
};

/** `30/min`, `5/s`, `1000/h` → a rule; `off` → undefined. Throws a message on anything else. */
export function parseRateLimit(text: string): RateLimitRule | undefined {
  const value = text.trim().toLowerCase();
  if (value === 'off' || value === 'false' || value === '0') return undefined;
  const match = /^(\d+)\s*\/\s*([a-z]+)$/.exec(value);
  const windowMs = match ? UNITS[match[2]!] : undefined;
  const limit = match ? Number(match[1]) : Number.NaN;
  if (windowMs === undefined || !Number.isSafeInteger(limit) || limit < 1) {
    throw new Error(`must look like 30/min, 5/s or 1000/h (or off), got "${text}"`);
  }
  return { limit, windowMs };
}

export interface RateLimitDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Whole seconds until the window resets (at least 1). */
  readonly resetSeconds: number;
}

/**
 * A fixed-window counter per key (the client), shared through the store. A client the store has
 * no room to count (`Infinity`) is refused: a full table never lets anyone past the limit.
 */
export class RateLimiter {
  readonly #store: StateStore;
  readonly #rule: RateLimitRule;
  readonly #now: () => number;

  constructor(store: StateStore, rule: RateLimitRule, now: () => number = Date.now) {
    this.#store = store;
    this.#rule = rule;
    this.#now = now;
  }

  async hit(key: string): Promise<RateLimitDecision> {
    const { limit, windowMs } = this.#rule;
    const now = this.#now();
    const window = Math.floor(now / windowMs);
    const { count } = await this.#store.increment(`rl:${window}:${key}`, windowMs);
    const resetSeconds = Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000));
    return {
      allowed: count <= limit,
      limit,
      remaining: Math.max(0, limit - count),
      resetSeconds,
    };
  }
}
