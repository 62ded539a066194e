# syntax=docker/dockerfile:1
# Scimitar: multi-stage image. The build stage compiles better-sqlite3 and installs the
# production dependencies; the runtime stage is node:20 slim with those and the sources only,
# running as the unprivileged `node` user. docs/deployment.md ("Container image").

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds from source where its prebuilt binary cannot be downloaded.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# The lock names the workspaces (packages/*); npm ci wants their manifests.
COPY packages/sdk/package.json ./packages/sdk/
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATABASE_URL=sqlite:/data/scim.db \
    BOOTSTRAP=false
WORKDIR /app
COPY --from=build --chown=root:root /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The same command as `npm start` (package.json), without npm in between: signals reach node.
CMD ["node", "--max-semi-space-size=16", "--max-old-space-size=512", "--import", "tsx", "src/main.ts"]
