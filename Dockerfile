# Parley: a multi-stage image. Every RUN line is a command CI runs (.ci/run; test/ops/container.test.ts
# checks it), because images cannot be built where CI runs.

# Build: the server (tsc → dist/) and the web client (vite → web/dist/), with the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The workspace package's manifest: npm ci links it (node_modules/@parley/client).
COPY packages/client/package.json packages/client/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Runtime: runtime dependencies and the built output only; no compiler, no npm as the process.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/client/package.json packages/client/
RUN npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/packages/client/dist ./packages/client/dist
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
# Not root. BuildKit creates a WORKDIR as the current USER, so the data dir belongs to node
# while the code stays read-only to it.
USER node
WORKDIR /home/node/data
WORKDIR /app
ENV PARLEY_DATA_DIR=/home/node/data PARLEY_HOST=0.0.0.0 PARLEY_PORT=8080 PARLEY_WEB_DIR=/app/web/dist
VOLUME /home/node/data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PARLEY_PORT+'/healthz').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node itself is PID 1, so SIGTERM from `docker stop` reaches the server's graceful shutdown.
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js", "serve"]
