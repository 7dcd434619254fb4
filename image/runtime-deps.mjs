// Run in the staged image context: keeps in package.json only the dependencies the compiled reconciler (lib/)
// imports, so `npm prune` can drop what only the synthesizer needs (cdk8s, cdk8s-plus-27, tsx, …). Versions stay the
// lock's. Fails when lib/ imports a package that is not a dependency.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const files = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
const specifier = /\bfrom\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
const packageOf = (s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]);
const used = new Set(
  files('lib')
    .filter((f) => f.endsWith('.js'))
    .flatMap((f) => [...readFileSync(f, 'utf8').matchAll(specifier)].map((m) => m[1] ?? m[2]))
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:'))
    .map(packageOf),
);
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const missing = [...used].filter((p) => !(p in pkg.dependencies));
if (missing.length > 0) {
  console.error(`image: lib/ imports packages that are not dependencies: ${missing.join(', ')}`);
  process.exit(1);
}
pkg.dependencies = Object.fromEntries(Object.entries(pkg.dependencies).filter(([name]) => used.has(name)));
delete pkg.devDependencies;
delete pkg.scripts;
delete pkg.bin;
writeFileSync('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
console.log(`image: runtime dependencies ${Object.keys(pkg.dependencies).join(', ')}`);
