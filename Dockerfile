# syntax=docker/dockerfile:1
# Build stage: compile TypeScript and keep only production dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY proto ./proto
COPY scripts ./scripts
COPY src ./src
COPY config ./config
RUN npx tsc -p tsconfig.json && npm prune --omit=dev

# Runtime stage: non-root, default ports, health check against health_check on 13133.
FROM node:20-bookworm-slim
ENV NODE_ENV=production TOLLGATE_LISTEN=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/src/gen ./src/gen
COPY --from=build /app/config ./config
RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
# OTLP gRPC, OTLP HTTP, remote-write, self-metrics, health, pull exporter
EXPOSE 4317 4318 19291 8888 13133 8889
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "require('http').get('http://127.0.0.1:13133/',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["--config", "/app/config/default.yaml"]
