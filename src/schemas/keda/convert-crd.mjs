// Converts KEDA's ScaledObject CRD (config/crd/bases/keda.sh_scaledobjects.yaml @ v2.20.2) into the
// JSON Schema queue-doctor validates with: the v1alpha1 openAPIV3Schema, `description` fields
// dropped (size), `status` dropped (never part of a recommendation), everything else verbatim.
// Usage: node src/schemas/keda/convert-crd.mjs path/to/keda.sh_scaledobjects.yaml > src/schemas/keda/scaledobject.v1alpha1.schema.json
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const crd = parse(readFileSync(process.argv[2], 'utf8'));
const version = crd.spec.versions.find((v) => v.name === 'v1alpha1');
const schema = structuredClone(version.schema.openAPIV3Schema);
delete schema.properties.status;

function strip(node, parentKey) {
  if (Array.isArray(node)) return node.map((n) => strip(n));
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    // a property that is literally named "description" stays; the annotation goes
    if (k === 'description' && parentKey !== 'properties') continue;
    out[k] = strip(v, k);
  }
  return out;
}

const out = {
  $comment: `KEDA ${crd.metadata.name} v1alpha1 openAPIV3Schema from kedacore/keda v2.20.2 config/crd/bases (see SOURCE.md); descriptions and status removed`,
  ...strip(schema),
};
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
