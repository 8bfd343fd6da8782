import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  return {
    plugins: [
      cloudflareTest({
        // The dev entry and configuration: the product plus the sandbox emulators (docs/decisions/0007).
        main: './workers/dev.ts',
        wrangler: { configPath: './wrangler.dev.toml' },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            JWT_SECRET: 'test-secret-0123456789abcdef0123456789abcdef',
          },
        },
      }),
    ],
    test: {
      include: ['test/api/**/*.test.ts'],
      setupFiles: ['./test/install-sandbox.ts', './test/apply-migrations.ts'],
      testTimeout: 20_000,
      silent: 'passed-only',
    },
  };
});
