export default async function globalTeardown(): Promise<void> {
  await globalThis.__seiControlPlane?.stop();
  globalThis.__seiControlPlane = undefined;
}
