// The two modules of undici that the upstream client uses, loaded without undici's index (see
// undici-upstream.ts). They are CommonJS files whose `module.exports` are the very values the
// index exports as `Pool` and `errors`, so they take the index's own types.
declare module 'undici/lib/dispatcher/pool.js' {
  import type { Pool } from 'undici';

  const pool: typeof Pool;
  export default pool;
}

declare module 'undici/lib/core/errors.js' {
  import type { errors } from 'undici';

  const undiciErrors: typeof errors;
  export default undiciErrors;
}
