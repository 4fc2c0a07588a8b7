# syntax=docker/dockerfile:1.7
# One image build, one target per app: docker build --target posts -t parley/posts .

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json .swcrc nest-cli.json ./
COPY scripts/build.mjs scripts/build.mjs
COPY apps apps
COPY libs libs
RUN node scripts/build.mjs && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim AS runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# Numeric, so that Kubernetes' runAsNonRoot can verify it (the node user of the base image).
USER 1000:1000
# tini forwards SIGTERM to Node and reaps zombies; the app drains on it (k8s/README.md).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
# Prometheus scrapes /metrics here; the HTTP port answers 404 for it.
ENV METRICS_PORT=9464
EXPOSE 9464
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health/ready').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

FROM runtime AS gateway
ENV PORT=3000
EXPOSE 3000
CMD ["node", "dist/apps/gateway/src/main.js"]

FROM runtime AS posts
ENV PORT=3001
EXPOSE 3001
CMD ["node", "dist/apps/posts/src/main.js"]

FROM runtime AS comments
ENV PORT=3002
EXPOSE 3002
CMD ["node", "dist/apps/comments/src/main.js"]

FROM runtime AS notifications
ENV PORT=3003
EXPOSE 3003
CMD ["node", "dist/apps/notifications/src/main.js"]
