# syntax=docker/dockerfile:1
# Multi-stage: compile TypeScript and the native better-sqlite3 addon in a build stage, then run the compiled
# bot with production dependencies only, as the unprivileged `node` user.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# node-gyp needs a toolchain for better-sqlite3 (its prebuilt binaries are not downloaded here).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
# `npm ci` runs the approved install scripts (better-sqlite3, the ffmpeg binary) and `prepare` (tsc build).
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
# DejaVu: the font the built-in emulator draws prompts with.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    DATA_DIR=/data \
    PORT=3000 \
    # Inside the container's own network namespace; publish it as -p 127.0.0.1:3000:3000 to keep the
    # playground (which has no login) private to the host.
    HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json manifest.yml ./
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/cli.js", "start"]
