/**
 * Captures real `managedFields` shapes for the provenance unit tests: run against a live API server
 *   npm run kube -- npx tsx test/kube/capture-managed-fields.ts
 * and it rewrites test/unit/reconciler/managed-fields.json. (test/integration/managed-fields.test.ts checks that the
 * committed file still matches what the server writes.)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureManagedFields } from './managed-fields.js';
const out = join(import.meta.dirname, '../unit/reconciler/managed-fields.json');
const shapes = await captureManagedFields(process.env.KUBECONFIG);
writeFileSync(out, `${JSON.stringify(shapes, null, 2)}\n`);
process.stderr.write(`wrote ${out}\n`);
