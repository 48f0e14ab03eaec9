# syntax=docker/dockerfile:1
# Multi-stage: compile TypeScript and the native better-sqlite3 addon in a build stage, then run the compiled
# bot with production dependencies only, as the unprivileged `node` user. docs/operations.md explains how
# to run it; test/ops/image-steps.test.ts runs these same steps outside Docker.

FROM node:24-bookworm-slim AS build
WORKDIR /app
# node-gyp needs a toolchain for better-sqlite3 when no prebuilt binary can be downloaded.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# Dependencies first, from the manifest and the lock file only: a code change reuses this layer (and the
# compiled addon). --ignore-scripts because `prepare` would run tsc before the sources are copied; the
# one install script the image needs, better-sqlite3's, is run by name.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
# Production dependencies only. The npm-shipped ffmpeg (@ffmpeg-installer, a 2018 static build that
# ignores EXIF orientation, 66 MB) is a development dependency and goes with the prune: the runtime stage
# installs Debian's and FFMPEG_PATH points at it.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
# ffmpeg: renders the emulator's videos, fits reference images, re-encodes videos above Discord's upload
# limit. DejaVu: the font the emulator draws prompts with. tini: PID 1, so signals reach node and the
# ffmpeg children that exit are reaped.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg fonts-dejavu-core tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# HOST: inside the container's own network namespace; publish it as -p 127.0.0.1:3000:3000 to keep the
# playground (which has no login) private to the host. An --env-file that sets one of these to an empty
# value overrides it (and empty means "default" to the bot): .env.example keeps every line commented out.
ENV NODE_ENV=production \
    DATA_DIR=/data \
    PORT=3000 \
    HOST=0.0.0.0 \
    FFMPEG_PATH=/usr/bin/ffmpeg
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json manifest.yml ./
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# Liveness only: /livez never calls the provider, so a provider outage does not mark the bot unhealthy
# (and restart it in a loop), and a probe every 30 s spends nothing. Readiness is /readyz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/livez').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/cli.js", "start"]
