#!/usr/bin/env bash
# Builds the reconciler image offline and runs it, as CI does:
#   1. stage the build context: `npm run build` (tsc → lib/), package.json, `npm ci --omit=dev` (production deps only);
#   2. a base image without pulling: a rootfs holding this machine's Node 20 binary at /nodejs/bin/node (distroless's
#      path), the shared libraries `ldd` lists for it, and /etc/passwd + /etc/group with the 65532 "nonroot" user;
#   3. `buildah bud` with vfs storage, chroot isolation and --pull=never; `buildah push … oci:`;
#   4. `umoci unpack` into an OCI runtime bundle; `runc run` it: `--help` must exit 0, a bad flag 2.
# Needs buildah, umoci and runc (Debian: apt-get install buildah umoci runc) and root (vfs storage, runc).
# --context-only stops after step 1 (for `docker build .cache/image/context`).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
out="$PWD/.cache/image"
tag=localhost/seinode-reconciler:ci
base=localhost/seinode-reconciler-base:node20

echo "== image: stage the build context"
rm -rf "$out/context" "$out/rootfs" "$out/oci" "$out/bundle"
mkdir -p "$out/context"
npm run -s build
cp -r Dockerfile package.json package-lock.json lib "$out/context/"
# Production dependencies at the lock's versions, then only those the compiled reconciler imports (client-node,
# prom-client; not cdk8s or tsx, which only the synthesizer needs): runtime-deps.mjs trims package.json, npm prune
# removes the rest.
(cd "$out/context" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error &&
  node "$repo/image/runtime-deps.mjs" && npm prune --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
[ "${1:-}" = "--context-only" ] && exit 0

node_bin="$(readlink -f "$(command -v node)")"
case "$("$node_bin" --version)" in v20.*) ;; *) echo "image: need Node 20 for the base, found $("$node_bin" --version)" >&2; exit 1 ;; esac

echo "== image: base rootfs from $node_bin ($("$node_bin" --version)) and its shared libraries"
root="$out/rootfs"
mkdir -p "$root/nodejs/bin" "$root/etc" "$root/tmp"
cp "$node_bin" "$root/nodejs/bin/node"
for lib in $(ldd "$node_bin" | grep -oE '/[^ ]+\.so[^ ]*'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$root/etc/group"
chmod 1777 "$root/tmp"

bh() { buildah --root "$out/storage" --runroot "$out/run" --storage-driver vfs "$@"; }
export BUILDAH_ISOLATION=chroot
ctr="$(bh from --pull=never scratch)"
bh copy "$ctr" "$root/" / >/dev/null
bh commit --rm "$ctr" "$base" >/dev/null

echo "== image: buildah bud (vfs, chroot, --pull=never)"
bh bud --pull=never --isolation chroot --layers=false --build-arg "BASE=$base" -t "$tag" -f "$out/context/Dockerfile" "$out/context"
bh push "$tag" "oci:$out/oci:ci"
echo "image size: $(du -sb "$out/oci" | cut -f1) bytes as an OCI layout ($(bh images --format '{{.Size}}' "$tag") as buildah reports it)"

echo "== image: umoci unpack + runc run"
umoci unpack --image "$out/oci:ci" "$out/bundle" >/dev/null
run() { # runs the image's entrypoint with the given args; prints the exit status
  local id="seinode-reconciler-ci-$$"
  node -e '
    const fs = require("fs"); const [file, ...args] = process.argv.slice(1);
    const c = JSON.parse(fs.readFileSync(file, "utf8"));
    c.process.args = [...c.process.args.slice(0, 2), ...args]; c.process.terminal = false;
    c.root.readonly = true; /* as the Deployment runs it */
    fs.writeFileSync(file, JSON.stringify(c));' "$out/bundle/config.json" "$@"
  local status=0
  runc --root "$out/runc" run --bundle "$out/bundle" "$id" >"$out/run.out" 2>&1 || status=$?
  echo "$status"
}
help="$(run --help)"
bad="$(run --bogus-flag)"
echo "runc: --help exited $help, --bogus-flag exited $bad"
[ "$help" = 0 ] && [ "$bad" = 2 ] || { cat "$out/run.out" >&2; exit 1; }
