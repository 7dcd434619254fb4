import { describe, expect, it } from '@jest/globals';
import { App, Chart } from 'cdk8s';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_GITOPS_IDENTITIES, SeiNodeAdmissionPolicy } from '../../../src/constructs/admission-policy.js';
import { ADMISSION_CHART, buildApp } from '../../../src/fleet.js';

const render = (props: ConstructorParameters<typeof SeiNodeAdmissionPolicy>[2]) => {
  const chart = new Chart(new App(), 'c');
  new SeiNodeAdmissionPolicy(chart, 'p', props);
  return chart.toJson() as any[];
};
const node = { name: 'rpc-0', chainId: 'atlantic-2', image: 'ghcr.io/sei-protocol/sei:v6.1.0', allowImageTag: true, fullNode: {}, bootstrap: { none: {} } };

describe('SeiNodeAdmissionPolicy', () => {
  it('renders two policies and their bindings, bound to exactly the fleet namespaces', () => {
    const objects = render({ namespaces: ['b', 'a'] });
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ValidatingAdmissionPolicy/sei-gitops-statefulsets',
      'ValidatingAdmissionPolicy/sei-gitops-data-claims',
      'ValidatingAdmissionPolicyBinding/sei-gitops-statefulsets',
      'ValidatingAdmissionPolicyBinding/sei-gitops-data-claims',
    ]);
    for (const b of objects.filter((o) => o.kind.endsWith('Binding'))) {
      expect(b.spec.validationActions).toEqual(['Deny']);
      expect(b.spec.matchResources.namespaceSelector.matchExpressions).toEqual([{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['a', 'b'] }]);
    }
    const sts = objects[0];
    expect(sts.spec.variables[0].expression).toBe(`request.userInfo.username in ['${DEFAULT_GITOPS_IDENTITIES[0]}', '${DEFAULT_GITOPS_IDENTITIES[1]}']`);
    // Subresources are not matched: the StatefulSet controller (status) and an HPA (scale) keep working.
    expect(sts.spec.matchConstraints.resourceRules[0].resources).toEqual(['statefulsets']);
  });

  it('quotes identities as CEL string literals', () => {
    const [sts] = render({ namespaces: ['a'], gitOpsIdentities: ["o'brien"] });
    expect(sts.spec.variables[0].expression).toBe("request.userInfo.username in ['o\\'brien']");
  });

  it.each([
    [{ namespaces: [] }, /namespaces: at least one fleet namespace is required/],
    [{ namespaces: ['a'], gitOpsIdentities: [' '] }, /gitOpsIdentities: empty username/],
    [{ namespaces: ['a'], claimCreators: [''] }, /claimCreators: empty username/],
  ])('refuses bad props, naming the field: %j', (props, error) => {
    expect(() => render(props)).toThrow(error);
  });

  it('is rendered by buildApp after the fleets, and not at all with admissionPolicy: false', () => {
    const on = buildApp([{ namespace: 'sei', nodes: [node] }]);
    expect(on.charts.map((c) => c.node.id)).toEqual(['seinode-crd', 'sei', ADMISSION_CHART]);
    const off = buildApp([{ namespace: 'sei', nodes: [node] }], undefined, { admissionPolicy: false });
    expect(off.charts.map((c) => c.node.id)).toEqual(['seinode-crd', 'sei']);
  });

  it.each([
    ['with the admission policy', {}, ['0000-seinode-crd.k8s.yaml', '0001-sei.k8s.yaml', '0002-sei-b.k8s.yaml', '0003-seinode-admission.k8s.yaml']],
    ['without it (the numbering still holds: the CRD file must apply first)', { admissionPolicy: false as const }, ['0000-seinode-crd.k8s.yaml', '0001-sei.k8s.yaml', '0002-sei-b.k8s.yaml']],
  ])('numbers the files in apply order %s', (_, options, files) => {
    const out = mkdtempSync(join(tmpdir(), 'sei-order-'));
    try {
      buildApp([{ namespace: 'sei', nodes: [node] }, { namespace: 'sei-b', nodes: [node] }], out, options).synth();
      expect(readdirSync(out).sort()).toEqual(files);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
