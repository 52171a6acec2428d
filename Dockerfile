# One image for every role (api, k8s-scheduler, pod-scheduler; chosen by PADDOCK_ROLES).
# Multi-stage: dependencies and the portal build in the first stage; the runtime
# stage carries only what runs, as the non-root user `node` (uid 1000).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
# The web portal, when present in this version, is built here (see README).
RUN if npm run | grep -q "build:portal"; then npm run build:portal; fi
RUN npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production PADDOCK_HOST=0.0.0.0 PADDOCK_PORT=8080 PADDOCK_DATA_DIR=/data/pglite
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080
# tsx runs the TypeScript sources directly (it is a runtime dependency).
CMD ["node", "--import", "tsx", "src/main.ts"]
