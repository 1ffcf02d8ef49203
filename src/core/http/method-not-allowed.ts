import type { Handler } from 'hono';
import { TokenSwapError } from '../errors.ts';

/** What a read-only path serves: Hono answers HEAD wherever GET is routed, without the body. */
export const READ_METHODS: readonly string[] = Object.freeze(['GET', 'HEAD']);

/** RFC 9110 §15.5.6: a path that exists, asked with a method it does not serve. */
export function methodNotAllowed(allow: readonly string[]): TokenSwapError {
  return new TokenSwapError('METHOD_NOT_ALLOWED', {
    description: `This endpoint accepts only ${allow.join(' or ')}`,
    headers: { allow: allow.join(', ') },
  });
}

/** For every method of a path its own routes do not serve: register it after them. */
export function otherMethodsNotAllowed(allow: readonly string[]): Handler {
  return () => {
    throw methodNotAllowed(allow);
  };
}
