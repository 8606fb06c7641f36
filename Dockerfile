# UCR Manager container image. Build: docker build -t ucr-manager .
# Run (PostgreSQL): see deploy/compose.yaml and docs/deployment.md.

# --- build: install everything, build the web UI, then drop the dev dependencies ---
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY bin ./bin
# `npm ci` runs the `prepare` script, which builds the UI, so the sources it needs come first.
COPY web.vite.config.ts tsconfig.json ./
COPY src ./src
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

# --- runtime: Node 24 runs the TypeScript server directly (type stripping) ---
FROM node:24-slim
WORKDIR /app
ENV UCR_DATA_DIR=/data \
    UCR_DEMO=false \
    PORT=3000 \
    HOST=0.0.0.0
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/src ./src
COPY --from=build /app/dist ./dist
# /data holds the embedded database (when DATABASE_URL is unset) and nothing else worth keeping.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 3000
# node:24-slim has no curl; Node's own fetch checks liveness. With built-in TLS, use https and a trusted CA.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# serve = web + worker in one process; override with ["node", "src/cli/main.ts", "web"] or "worker".
CMD ["node", "src/cli/main.ts", "serve"]
