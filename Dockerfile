# seinode-reconciler. The build context is the staged directory image/build.sh writes (the compiled reconciler in
# lib/, production dependencies only in node_modules/): `image/build.sh --context-only`, then
# `docker build .cache/image/context` works as well as the offline buildah build CI runs.
#
# BASE: any image with Node 20 at /nodejs/bin/node, like distroless's. CI builds one offline from the machine's own
# Node binary and its shared libraries (image/build.sh), since it cannot pull.
ARG BASE=gcr.io/distroless/nodejs20-debian12:nonroot
FROM ${BASE}
WORKDIR /app
COPY package.json ./
COPY node_modules/ node_modules/
COPY lib/ lib/
ENV NODE_ENV=production
# distroless's "nonroot"; the Deployment says the same (runAsUser 65532, runAsNonRoot).
USER 65532:65532
ENTRYPOINT ["/nodejs/bin/node", "/app/lib/reconciler/main.js"]
