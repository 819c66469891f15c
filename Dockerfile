# The app's image: the web app (`node scripts/start.ts`) and the Temporal worker
# (`node worker/temporal-worker.ts`) share it. Node 24 runs the TypeScript sources directly.
# Debian (glibc), not Alpine: the Temporal worker's native bridge and embedded-postgres need glibc.
FROM node:24-bookworm-slim AS build
WORKDIR /app
ENV PUPPETEER_SKIP_DOWNLOAD=1
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
CMD ["node", "scripts/start.ts"]
