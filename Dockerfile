# syntax=docker/dockerfile:1
# One image per target: `gateway` and the six apps. Every target is the same runtime (the project's
# TypeScript run by tsx through bin/cortexiq.js) with its own command; Pulumi builds each target
# (components/images.ts) and the workloads pass the same arguments explicitly.

ARG NODE_IMAGE=node:20.20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
RUN groupadd --system --gid 10001 cortexiq \
 && useradd --system --uid 10001 --gid cortexiq --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin cortexiq
# Sources and dependencies stay owned by root: the process can read them, never rewrite them.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY cli ./cli
COPY gateway ./gateway
COPY apps ./apps
COPY stacks ./stacks
USER 10001:10001
ENTRYPOINT ["node", "bin/cortexiq.js"]

FROM runtime AS gateway
EXPOSE 9443/udp 9443/tcp 8080/tcp
CMD ["gateway"]

FROM runtime AS simulation
CMD ["app", "simulation"]

FROM runtime AS homes
CMD ["app", "homes"]

FROM runtime AS utilities
CMD ["app", "utilities"]

FROM runtime AS projections
CMD ["app", "projections"]

FROM runtime AS queries
CMD ["app", "queries"]

FROM runtime AS dashboard
EXPOSE 4000/tcp
CMD ["app", "dashboard"]
