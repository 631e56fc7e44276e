# Fullcycle API and CPU workers. Build: docker build -t fullcycle .
FROM node:20-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production \
    FULLCYCLE_DATA_DIR=/data \
    FULLCYCLE_API_HOST=0.0.0.0 \
    ORT_DISABLE_TELEMETRY=1

COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

COPY . .
RUN mkdir -p /data && chown node:node /data
USER node

ENTRYPOINT ["node", "cli/bin.js"]
CMD ["api"]
