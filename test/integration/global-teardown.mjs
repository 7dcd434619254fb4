export default async function globalTeardown() {
  await globalThis.__seiControlPlane?.stop();
  globalThis.__seiControlPlane = undefined;
}
