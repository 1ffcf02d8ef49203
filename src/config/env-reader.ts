import type { ConfigProblem } from './config-error.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads typed values out of an environment, collecting every problem instead of stopping at
 * the first, so one start tells the operator everything to fix.
 */
export class EnvReader {
  readonly #env: Env;
  readonly problems: ConfigProblem[] = [];

  constructor(env: Env) {
    this.#env = env;
  }

  problem(variable: string, message: string): void {
    this.problems.push({ variable, message });
  }

  /** The trimmed value, or undefined when unset or blank. */
  optional(name: string): string | undefined {
    const value = this.#env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  required(name: string, howToFix: string): string {
    const value = this.optional(name);
    if (value === undefined) {
      this.problem(name, `is not set. ${howToFix}`);
      return '';
    }
    return value;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.optional(name);
    if (value === undefined) return fallback;
    const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      this.problem(name, `must be a whole number from ${min} to ${max}, got "${value}"`);
      return fallback;
    }
    return parsed;
  }

  boolean(name: string): boolean {
    const value = this.optional(name)?.toLowerCase();
    if (value === undefined || value === 'false' || value === '0' || value === 'no') return false;
    if (value === 'true' || value === '1' || value === 'yes') return true;
    this.problem(name, `must be true or false, got "${value}"`);
    return false;
  }

  /** A value run through `parse`, whose thrown message becomes the problem. */
  parsed<T>(name: string, fallback: string, parse: (text: string) => T): T | undefined {
    const value = this.optional(name) ?? fallback;
    try {
      return parse(value);
    } catch (error) {
      this.problem(name, error instanceof Error ? error.message : 'is invalid');
      return undefined;
    }
  }

  /** Comma-separated list, blanks dropped. */
  list(name: string): string[] {
    const value = this.optional(name);
    if (value === undefined) return [];
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  /** An absolute http(s) URL without query or fragment, returned without a trailing slash. */
  baseUrl(name: string, fallback: string): string {
    const value = this.optional(name) ?? fallback;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      this.problem(name, `must be an absolute URL such as ${fallback}, got "${value}"`);
      return fallback;
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
      this.problem(name, `must be an http or https URL without query or fragment, got "${value}"`);
      return fallback;
    }
    return value.replace(/\/+$/, '');
  }
}
