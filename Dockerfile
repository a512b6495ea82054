# syntax=docker/dockerfile:1
# Build: compile TypeScript and native modules with the full toolchain image, then
# keep only production dependencies.
FROM node:24-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY server ./server
COPY services ./services
RUN npm run build && npm prune --omit=dev

# Run: slim image, non-root, the compiled server and its templates, assets and manifests.
FROM node:24-bookworm-slim
ENV NODE_ENV=production PORT=3000 DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY views ./views
COPY public ./public
COPY services ./services
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The same node flags as `npm start` (docs/performance.md).
CMD ["node", "--max-old-space-size=96", "--no-allocation-site-pretenuring", "--no-memory-reducer", "dist/server/index.js"]
