# lorafleet as a container image: the CLI as entrypoint, scenarios and schema inside.
#   docker build -t lorafleet .
#   docker run --rm lorafleet run scenarios/quickstart.yaml
# Build stage: compiles TypeScript (the dev dependencies stay here).
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY crypto crypto
COPY simulator simulator
COPY schema schema
RUN npm run build

# Runtime: production dependencies and the compiled CLI only, run as an unprivileged user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist dist
COPY schema schema
COPY scenarios scenarios
RUN ln -s /app/dist/simulator/cli/main.js /usr/local/bin/lorafleet && mkdir -p /state /reports \
  && chown node:node /state /reports
USER node
# Device state (DevNonces, FCnts) and provisioning journals: mount a volume here to keep them.
VOLUME ["/state"]
ENTRYPOINT ["lorafleet"]
CMD ["--help"]
