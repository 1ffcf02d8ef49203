# The swap server as a container image. Build: docker build -t tokenswap .
# Run: see the README's "Deploy" section (configuration comes from the environment, as for
# `tokenswap serve`; pass secrets with -e or an env file at run time, never as build arguments).
#
# NODE_IMAGE is the base of both stages: any image with Node.js 24 and npm on PATH, a non-root
# user `node` and CA certificates. The official image by default; the tests build this same file
# on a base they assemble from the pinned Node binary (test/image/), since none can be pulled there.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts off: `prepare` would build before the sources are copied, and the `node` dev
# dependency's install script would fetch a second Node.js the base already has.
# Optional packages are other platforms' binaries of dev tools (Biome, esbuild, Bun, Deno):
# the build needs only TypeScript. npm's cache is a build cache, in no layer.
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
  npm ci --ignore-scripts --omit=optional --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE}
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
# No runtime dependency has an install script; `prepare` (the build) needs dev dependencies.
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
  npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY bin ./bin
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
# Slim images have no curl: Node asks the server itself (PORT is where `tokenswap serve` listens).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node is PID 1 and handles SIGTERM itself: requests in flight finish, then it exits 0
# (TOKENSWAP_SHUTDOWN_GRACE_MS, default 10 s; keep Docker's stop timeout above it).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/bin/tokenswap.js"]
CMD ["serve"]
