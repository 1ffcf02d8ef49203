/** A fault armed through `POST /__emulator/faults`, for the next `count` token requests. */
export interface Fault {
  count: number;
  readonly status: number | undefined;
  readonly body: string | undefined;
  readonly contentType: string | undefined;
  /** Seconds, or an HTTP-date, sent as `Retry-After`. */
  readonly retryAfter: number | string | undefined;
  readonly delayMs: number;
  /** Destroy the connection without answering. */
  readonly drop: boolean;
}

/** What a token request meets: an answer of the fault's own, a dropped connection, or nothing. */
export type FaultOutcome =
  | { kind: 'none' }
  | { kind: 'drop' }
  | { kind: 'answer'; response: Response };

function optional<T>(value: unknown, check: (v: unknown) => v is T, field: string): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (!check(value)) throw new Error(`${field} has the wrong type`);
  return value;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';

/** Reads a fault from its JSON; throws a message naming the bad field. */
export function parseFault(json: unknown): Fault {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error('a fault is a JSON object');
  }
  const input = json as Record<string, unknown>;
  const count = input.count;
  if (!isNumber(count) || !Number.isInteger(count) || count < 1) {
    throw new Error('count must be a positive integer');
  }
  const status = optional(input.status, isNumber, 'status');
  if (status !== undefined && (!Number.isInteger(status) || status < 100 || status > 599)) {
    throw new Error('status must be an HTTP status code');
  }
  const retryAfter = input.retryAfter;
  if (retryAfter !== undefined && !isNumber(retryAfter) && !isString(retryAfter)) {
    throw new Error('retryAfter must be seconds or an HTTP-date');
  }
  return {
    count,
    status,
    body: optional(input.body, isString, 'body'),
    contentType: optional(input.contentType, isString, 'contentType'),
    retryAfter,
    delayMs: optional(input.delayMs, isNumber, 'delayMs') ?? 0,
    drop: optional(input.drop, isBoolean, 'drop') ?? false,
  };
}

/** Armed faults, used in order. */
export class FaultQueue {
  readonly #faults: Fault[] = [];

  add(fault: Fault): void {
    this.#faults.push(fault);
  }

  clear(): void {
    this.#faults.length = 0;
  }

  /** Takes one use of the first armed fault and carries it out. */
  async next(): Promise<FaultOutcome> {
    const fault = this.#faults[0];
    if (fault === undefined) return { kind: 'none' };
    fault.count--;
    if (fault.count <= 0) this.#faults.shift();
    if (fault.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault.drop) return { kind: 'drop' };
    if (fault.status === undefined) return { kind: 'none' };
    const headers: Record<string, string> = {
      'content-type': fault.contentType ?? 'application/json',
    };
    if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
    return {
      kind: 'answer',
      response: new Response(fault.body ?? '', { status: fault.status, headers }),
    };
  }
}
