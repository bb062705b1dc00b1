# syntax=docker/dockerfile:1
# Webfluid Events: built with the whole toolchain, run from the compiled output alone.
#
#   docker build -t webfluid-events .
#   docker run -p 3000:3000 -e SECRET_KEY=… webfluid-events
#   docker compose up          (Redis, two instances and nginx with TLS: docker-compose.yml)
#
# The runtime stage holds what `npm start` needs and nothing else: the compiled server (dist/),
# Next's build (.next/ without its cache), the production packages, package.json (the app's
# root, "type": "module"), next.config.mjs (read again at start) and webfluid.ini (EXT_EVENTS=1;
# its sample SECRET_KEY is refused in production, so SECRET_KEY must be given). No TypeScript
# sources and no dev dependency: test/integration/runtime-layout.test.ts starts the server from a
# copy of exactly these COPY lines.

ARG NODE_VERSION=20.20.2

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
# better-sqlite3 compiles its native addon when no prebuilt binary fits this Node and platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
# Then keep only what runs: production packages (the same set `npm ci --omit=dev` installs,
# native addon included) and Next's build without its compile cache, the route types it
# generates for type-checking, and anything of `npm run dev` (Next 16 keeps it in .next/dev).
RUN npm run build \
 && npm prune --omit=dev \
 && rm -rf .next/cache .next/types .next/dev

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json \
    DATABASE_PATH=/app/data/app.db
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/next.config.mjs ./next.config.mjs
COPY --from=build /app/webfluid.ini ./webfluid.ini
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/.next ./.next
COPY --from=build /app/dist ./dist
# Everything above stays root's and read-only to the app; only the SQLite folder and Next's
# cache folder (which Next may write at run time) are its own.
RUN mkdir -p /app/data /app/.next/cache && chown node:node /app/data /app/.next/cache
USER node
EXPOSE 3000
VOLUME ["/app/data"]
# /healthz answers 200 while the process serves (whatever Redis does: /readyz says that).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# `npm start` without npm: node is PID 1 and gets SIGTERM itself (npm would not pass it on
# reliably), so `docker stop` drains: sockets closed with 1001, clients reconnect elsewhere.
STOPSIGNAL SIGTERM
CMD ["node", "--enable-source-maps", "dist/server.js"]
