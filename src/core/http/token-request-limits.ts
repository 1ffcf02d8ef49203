/** Input limits for token requests: a token request is a few hundred bytes. */
export const TOKEN_REQUEST_LIMITS = Object.freeze({
  bodyBytes: 16 * 1024,
  fields: 32,
  nameLength: 64,
  valueLength: 4096,
});
