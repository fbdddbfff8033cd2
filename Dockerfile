# p2p-digest: one image for every role (api, worker, scheduler, smtp).
# Node 24 runs the TypeScript sources as they are (type stripping: the code uses only erasable
# syntax), so there is no build stage and no loader: the image holds the sources and the
# production node_modules.
FROM node:24-bookworm-slim

# The service binds 127.0.0.1 by default; in a container it must listen on all interfaces.
# NODE_ENV is left to the deployment: with NODE_ENV=production, APP_SECRET and ADMIN_TOKEN are required.
ENV HOST=0.0.0.0 \
    PORT=3000

WORKDIR /app

# Dependencies first, so this layer is cached until package*.json change.
# --ignore-scripts: the project runs no install scripts (see "allowScripts" in package.json);
# msgpackr-extract finds its prebuilt platform package without them.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && npm cache clean --force

COPY bin/ bin/
COPY src/ src/
COPY migrations/ migrations/
COPY templates/ templates/

# var/ holds the mail outbox (.eml files) when SMTP_URL is unset; it must be writable.
RUN mkdir -p var && chown node:node var

USER node

# 3000: HTTP; 2525: the email intake's SMTP listener (INBOUND_SMTP_PORT).
EXPOSE 3000 2525

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# Every role, and no demo data: a deployment starts empty. Ask for demo data explicitly with
# `start --demo` (docker-compose.yml does, for a local try-out).
CMD ["node", "--max-semi-space-size=16", "bin/p2p-digest.mjs", "start"]
