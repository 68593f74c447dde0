import { defineConfig } from 'vitest/config';

// `npm run test:chaos`: long crash and outage runs, kept out of `npm test` (which has a short version).
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.chaos.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 900_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
