import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds the container image (minutes): its own step, `npm run test:image`.
    exclude: [...configDefaults.exclude, 'test/image/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Real sockets and child processes: keep parallelism modest on small machines.
    maxWorkers: 2,
  },
});
