import { defineConfig } from 'vitest/config';

// `npm run test:image`: builds the Dockerfile with buildah and runs the conformance suite against
// the container. One file, its steps in order; a server in a container takes seconds to start.
export default defineConfig({
  test: {
    include: ['test/image/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 1,
  },
});
