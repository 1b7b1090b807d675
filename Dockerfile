# Aftercare: one image, two processes.
#   api    (default)  docker run … aftercare                          → node dist/src/api.js
#   worker            docker run … aftercare node dist/src/worker.js
# docker-compose.yml runs both from this image. Build: docker compose build (or docker build -t aftercare .)

ARG NODE_VERSION=20.20.2

# ---- build: full dependency tree, TypeScript → dist/, prebuilt workflow bundle, then drop dev deps ----
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
ENV NPM_CONFIG_AUDIT=false NPM_CONFIG_FUND=false NPM_CONFIG_UPDATE_NOTIFIER=false

# Manifests first: the dependency layer is reused until package*.json change.
COPY package.json package-lock.json ./
RUN npm ci

# Sources (.dockerignore keeps tests, local state and secrets out of the context).
COPY . .
# tsc (outDir dist, rootDir .) → dist/src/*.js …; plus the worker's prebuilt dist/workflow-bundle.js.
# The checks fail the build here, not the container at start-up, if the build plan ever moves them.
RUN npm run build \
  && test -f dist/src/api.js \
  && test -f dist/src/worker.js \
  && test -f dist/workflow-bundle.js
RUN npm prune --omit=dev

# ---- runtime: production deps + compiled code + default policy and catalogue files, as the unprivileged `node` user ----
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app

# Noto Sans CJK: the worker draws the service report's PDF with it (src/reports/serviceReport/font.ts finds it).
RUN apt-get update \
  && apt-get install -y --no-install-recommends fonts-noto-cjk \
  && rm -rf /var/lib/apt/lists/*

# Code stays root-owned (read-only to the process); only var/ is writable. Compose mounts named volumes
# on var/outbox and var/photos, and a new volume takes this directory's owner (node).
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/policy ./policy
COPY --from=build /app/catalogue ./catalogue
RUN mkdir -p var/outbox var/photos && chown -R node:node var

USER node
EXPOSE 3000
# No HEALTHCHECK here: the image also runs the worker, which serves no HTTP. Compose checks the API with
#   node -e "fetch('http://127.0.0.1:3000/healthz')…"
CMD ["node", "dist/src/api.js"]
