import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";
import { defineConfig, globalIgnores } from "eslint/config";

/** Import patterns for one of the library's folders, relative or through the `@/` alias. */
const layer = (folder) => [`**/${folder}`, `**/${folder}/*`, `@/lib/events/${folder}`, `@/lib/events/${folder}/*`];

/** A fence: files under `lib/events/<folder>` may not import `forbidden` (type imports too, unless `types` is "allowed"). */
const fence = (folder, forbidden, message, types = "forbidden") => ({
  files: [`lib/events/${folder}/**/*.ts`],
  // Tests may drive one layer with another (a client against a real server).
  ignores: ["**/*.test.ts", "**/*.test-d.ts"],
  rules: {
    "@typescript-eslint/no-restricted-imports": [
      "error",
      { patterns: forbidden.map((other) => ({ group: layer(other), message, allowTypeImports: types === "allowed" })) },
    ],
  },
});

export default defineConfig([
  ...nextVitals,
  ...nextTypescript,
  globalIgnores([".next/**", "dist/**", "node_modules/**", "next-env.d.ts", "test-results/**", "playwright-report/**", "public/events.js", "bench/results/**", ".dev-copies/**"]),
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
    },
  },
  {
    // Playwright fixtures call `use`, which is not React's hook.
    files: ["e2e/**/*.ts"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  {
    // The library is framework-free: it must not reach into the app, React or Next.
    files: ["lib/events/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@/app/*", "@/events/*", "@/lib/db/*", "@/lib/app-server/*", "@/lib/logger"], message: "lib/events is the library: it must not import the app." },
            { group: ["react", "react-dom", "next", "next/*", "zustand"], message: "lib/events stays free of React and Next." },
          ],
        },
      ],
    },
  },
  {
    // The CLI is a client of the app, as the dashboard's page is: the Node client and the dashboard's
    // framework-free parts, never the server, the bus itself, or the app's UI.
    files: ["cli/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [{ name: "@/lib/events", message: "The CLI talks to the app over the wire: @/lib/events/client, not the bus." }],
          patterns: [
            {
              group: ["@/app/*", "@/events/*", "@/lib/db/*", "@/lib/app-server/*", "@/lib/logger", "@/lib/events/server", "@/lib/events/server/*", "@/lib/events/core/*", "@/lib/events/adapters/*", "@/lib/events/config", "@/lib/events/config/*"],
              message: "The CLI talks to the app over the wire: it takes the client (@/lib/events/client), the protocol's types and lib/dashboard's framework-free parts.",
            },
            { group: ["@/lib/dashboard/store", "@/lib/dashboard/session", "@/lib/dashboard/access", "@/lib/dashboard/request-access"], message: "Server-only or React-side parts of the dashboard: not for the CLI." },
            { group: ["react", "react-dom", "next", "next/*", "zustand", "zustand/*"], message: "The CLI stays free of React and Next." },
          ],
        },
      ],
    },
  },
  // Import circles in lib/ (type-only ones included, which import/no-cycle skips) are refused by
  // scripts/import-cycles.ts, the second half of `npm run lint`.
  // The library's layers point inward: shared ← protocol ← core ← server, client, adapters.
  fence("shared", ["core", "protocol", "server", "client", "adapters", "config"], "shared/ is the bottom layer: it imports nothing of the library."),
  fence("protocol", ["core", "server", "client", "adapters"], "protocol/ is the wire contract: it stands alone (shared/ only), so that a change in the bus cannot change the wire."),
  fence("core", ["server", "client", "adapters"], "core/ is the bus: it knows no transport, client or adapter."),
  fence("client", ["server", "adapters"], "client/ runs in browsers: nothing from the server or adapters."),
  fence("client", ["core"], "client/ takes only types from core/ (errors live in shared/).", "allowed"),
]);
