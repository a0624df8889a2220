# syntax=docker/dockerfile:1
# One image per target: `gateway` and the six apps. Every target is the same runtime (the project
# compiled to dist/ by `npm run build`, run through bin/cortexiq.js) with its own command; Pulumi
# builds each target (components/images.ts) and the workloads pass the same arguments explicitly.

ARG NODE_IMAGE=node:20.20-bookworm-slim

# `npm ci` runs the `prepare` script, which compiles the TypeScript (a dev dependency); the dev
# dependencies are pruned afterwards so the runtime gets production modules only.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# The QUIC addon (native/quic) compiles against Debian's ngtcp2 and GnuTLS, with node-gyp's
# toolchain; tools/build-native.js runs in `prepare`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ pkg-config libngtcp2-dev libngtcp2-crypto-gnutls-dev libgnutls28-dev \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY tools ./tools
COPY types ./types
COPY cli ./cli
COPY gateway ./gateway
COPY apps ./apps
COPY stacks ./stacks
COPY launcher ./launcher
COPY native ./native
RUN npm ci && npm prune --omit=dev && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Only the shared libraries the QUIC addon links to, not their headers.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libngtcp2-9 libngtcp2-crypto-gnutls2 libgnutls30 \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 cortexiq \
 && useradd --system --uid 10001 --gid cortexiq --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin cortexiq
# Code and dependencies stay owned by root: the process can read them, never rewrite them. Only the
# compiled build is copied, so bin/cortexiq.js always runs dist/.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/native/quic/build/Release/cortexiq_quic.node ./native/quic/build/Release/
COPY package.json ./
COPY bin ./bin
USER 10001:10001
ENTRYPOINT ["node", "bin/cortexiq.js"]

FROM runtime AS gateway
EXPOSE 9443/udp 9443/tcp 8080/tcp
# The gateway's Node flags (gateway/runtime-flags.ts): a 4 MiB young generation.
ENTRYPOINT ["node", "--max-semi-space-size=4", "bin/cortexiq.js"]
CMD ["gateway"]

FROM runtime AS simulation
CMD ["app", "simulation"]

FROM runtime AS homes
CMD ["app", "homes"]

FROM runtime AS utilities
CMD ["app", "utilities"]

FROM runtime AS projections
# The projections' Node flags (apps/projections/runtime-flags.ts): heap sized to the pod's limit.
ENTRYPOINT ["node", "--max-semi-space-size=32", "--max-old-space-size=256", "bin/cortexiq.js"]
CMD ["app", "projections"]

FROM runtime AS queries
CMD ["app", "queries"]

FROM runtime AS dashboard
EXPOSE 4000/tcp
CMD ["app", "dashboard"]
