import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL(".", import.meta.url)),
      // Next resolves "server-only" to an empty module on the server; outside Next it throws by design.
      "server-only": fileURLToPath(new URL("node_modules/server-only/empty.js", import.meta.url)),
    },
  },
  test: {
    // Playwright's specs live in e2e/ and must never be collected here.
    exclude: ["e2e/**", "node_modules/**", ".next/**", ".dev-copies/**"],
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["lib/**/*.test.ts", "events/**/*.test.ts", "cli/**/*.test.ts", "test/unit/**/*.test.ts", "reliability/**/*.test.ts"], testTimeout: 30_000 },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Each file starts real servers; running them one at a time keeps timings sane on 2 cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
