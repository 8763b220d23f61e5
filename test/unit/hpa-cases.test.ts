// Every vector of fixtures/hpa/hpa-cases.json (transcribed from Kubernetes' replica_calculator_test.go
// and horizontal_test.go) reproduced by src/simulate/hpa.ts, table-driven, exact values.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TOLERANCES,
  externalAverageValueReplicas,
  externalValueReplicas,
  newHpaState,
  podsAverageValueReplicas,
  reconcileHpa,
  resourceUtilizationReplicas,
  type PodSample,
  type Tolerances,
} from '../../src/simulate/hpa.js';

const data = JSON.parse(readFileSync(new URL('../../fixtures/hpa/hpa-cases.json', import.meta.url), 'utf8'));
const cases: any[] = data.cases;

const tolerancesOf = (c: any): Tolerances => c.tolerances ?? DEFAULT_TOLERANCES;

/** Pods of a Resource(cpu) case, built from its raw per-container fields. */
function cpuPods(c: any): PodSample[] {
  const raw = c.raw;
  if (raw.perContainerCpuRequestCores) {
    const containers = raw.containersPerPod;
    const missing = new Set<number>(c.metricValues?.podsWithoutMetrics ?? []);
    let k = 0;
    return raw.perContainerCpuRequestCores.map((cores: string, i: number) => {
      const usage = missing.has(i) ? undefined : raw.perContainerUsageMillicores[k++] * containers;
      const ready = c.podReadiness ? c.podReadiness[i] === 'True' : true;
      return { requestMilli: Number(cores) * 1000 * containers, value: usage, ready };
    });
  }
  // controller cases: per-pod levels; levels beyond the pod list are metrics of pods that do not exist (ignored upstream)
  return raw.reportedCPURequests_podCores.map((cores: string, i: number) => ({ requestMilli: Number(cores) * 1000, value: raw.reportedLevels_podMillicores[i] }));
}

describe('hpa-cases.json: replica calculator', () => {
  const calc = cases.filter((c) => !c.level);
  it('covers every non-controller case', () => {
    expect(calc.length).toBe(12);
  });

  for (const c of calc) {
    it(`${c.id} ${c.name} (${c.source.test})`, () => {
      const tolerances = tolerancesOf(c);
      switch (c.metricType) {
        case 'Resource(cpu)/Utilization': {
          const r = resourceUtilizationReplicas({ currentReplicas: c.currentReplicas, targetUtilization: c.target.averageUtilizationPercent, pods: cpuPods(c), tolerances });
          expect(r.replicas).toBe(c.expectedReplicas);
          expect(r.utilization).toBe(c.expectedUtilizationPercent);
          break;
        }
        case 'Pods/AverageValue': {
          const pods = c.metricValues.perPod.map((v: number) => ({ value: v / 1000 }));
          const r = podsAverageValueReplicas({ currentReplicas: c.currentReplicas, target: c.target.averageValue / 1000, pods, tolerances });
          expect(r.replicas).toBe(c.expectedReplicas);
          expect(r.usage).toBe(c.expectedUsage);
          break;
        }
        case 'External/Value': {
          const r = externalValueReplicas({ currentReplicas: c.currentReplicas, readyPods: c.currentReplicas, value: c.metricValues.single / 1000, target: c.target.value / 1000, tolerances });
          expect(r.replicas).toBe(c.expectedReplicas);
          expect(r.usage).toBe(c.expectedUsage);
          break;
        }
        case 'External/AverageValue': {
          const r = externalAverageValueReplicas({ statusReplicas: c.currentReplicas, value: c.metricValues.single / 1000, target: c.target.averageValue / 1000, tolerances });
          expect(r.replicas).toBe(c.expectedReplicas);
          expect(r.usage).toBe(c.expectedUsage);
          break;
        }
        default:
          throw new Error(`unhandled metric type ${c.metricType}`);
      }
    });
  }
});

describe('hpa-cases.json: controller (reconcileAutoscaler, behavior nil)', () => {
  const ctl = cases.filter((c) => c.level);
  it('covers every controller case', () => {
    expect(ctl.length).toBe(3);
  });

  for (const c of ctl) {
    it(`${c.id} ${c.name} (${c.source.test})`, () => {
      expect(c.behavior).toBeNull();
      let read = false;
      const r = reconcileHpa({ minReplicas: c.minReplicas, maxReplicas: c.maxReplicas, behavior: null }, newHpaState(), 1000, c.specReplicas, () => {
        read = true;
        if (c.metricType === 'External/Value') {
          return [externalValueReplicas({ currentReplicas: c.specReplicas, readyPods: c.statusReplicas, value: c.metricValues.single / 1000, target: c.target.value / 1000 }).replicas];
        }
        return [resourceUtilizationReplicas({ currentReplicas: c.specReplicas, targetUtilization: c.target.averageUtilizationPercent, pods: cpuPods(c) }).replicas];
      });
      expect(r.desiredReplicas).toBe(c.expectedReplicas);
      // below minReplicas the controller sets the minimum without reading metrics
      expect(read).toBe(c.specReplicas >= c.minReplicas);
      if (c.expectedCondition?.includes('TooManyReplicas')) expect(r.reason).toBe('TooManyReplicas');
    });
  }
});

describe('hpa-cases.json: documented arithmetic', () => {
  it('hpa-27: the replica calculator alone proposes 24 before the max clamp (TestReplicaCalcSuperfluousMetrics)', () => {
    const c = cases.find((x) => x.id === 'hpa-27');
    expect(resourceUtilizationReplicas({ currentReplicas: 4, targetUtilization: 100, pods: cpuPods(c) }).replicas).toBe(24);
  });
  it('hpa-21: with the default 0.1 tolerance the same ratio would keep 3 replicas', () => {
    expect(externalValueReplicas({ currentReplicas: 3, readyPods: 3, value: 8.9, target: 8.8 }).replicas).toBe(3);
  });
  it('External Value from zero replicas is ceil(ratio) without tolerance', () => {
    expect(externalValueReplicas({ currentReplicas: 0, readyPods: 0, value: 10.5, target: 10 }).replicas).toBe(2);
  });
  it('External AverageValue ignores readiness: ceil(usage/target)', () => {
    // KD-SO example: V = 20, threshold 5 -> 4
    expect(externalAverageValueReplicas({ statusReplicas: 1, value: 20, target: 5 }).replicas).toBe(4);
  });
  it('External Value uses ready pods: 3 replicas, 20 vs 5 -> 12 (KD-SO example)', () => {
    expect(externalValueReplicas({ currentReplicas: 3, readyPods: 3, value: 20, target: 5 }).replicas).toBe(12);
  });
  it('a cpu metric with no ready pod cannot propose', () => {
    expect(() => resourceUtilizationReplicas({ currentReplicas: 2, targetUtilization: 50, pods: [{ requestMilli: 1000, value: 900, ready: false }] })).toThrow(/did not receive metrics/);
  });
});
