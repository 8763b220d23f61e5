// Every vector of fixtures/hpa/hpa-behavior-cases.json (transcribed from Kubernetes'
// horizontal_test.go) reproduced by src/simulate/hpa.ts, table-driven, exact values.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  calculateScaleUpLimit,
  calculateScaleUpLimitWithScalingRules,
  convertDesiredReplicasWithBehaviorRate,
  convertDesiredReplicasWithRules,
  externalValueReplicas,
  getReplicasChangePerPeriod,
  newHpaState,
  reconcileHpa,
  resourceUtilizationReplicas,
  stabilizeRecommendation,
  stabilizeRecommendationWithBehaviors,
  storeScaleEvent,
  withBehaviorDefaults,
  HpaMetricError,
  type Recommendation,
  type ScaleEvent,
  type ScalingRules,
} from '../../src/simulate/hpa.js';

const data = JSON.parse(readFileSync(new URL('../../fixtures/hpa/hpa-behavior-cases.json', import.meta.url), 'utf8'));
const groups = data.groups;
const NOW = 100_000;

const recs = (list: Array<{ replicas: number; secondsAgo: number }>): Recommendation[] => list.map((r) => ({ replicas: r.replicas, time: NOW - r.secondsAgo }));
const events = (list: Array<{ replicaChange: number; secondsAgo: number }>): ScaleEvent[] => list.map((e) => ({ replicaChange: e.replicaChange, time: NOW - e.secondsAgo }));
const rules = (r: any): ScalingRules => ({ stabilizationWindowSeconds: r.stabilizationWindowSeconds, selectPolicy: r.selectPolicy, policies: r.policies.map((p: any) => ({ ...p })) });
const title = (c: any) => `${c.source.test}${c.source.subtest ? ` / ${c.source.subtest}` : ''}`;

it('has the seven groups with the documented case counts', () => {
  const counts = Object.fromEntries(Object.entries(groups).map(([k, v]: [string, any]) => [k, v.cases.length]));
  expect(counts).toEqual({
    legacyConvertDesiredReplicasWithRules: 3,
    legacyStabilizeRecommendation: 3,
    scaleLimitFunctions: 1,
    behaviorRateLimits: 21,
    stabilizeRecommendationWithBehaviors: 6,
    replicasChangePerPeriod: 3,
    controllerLevel: 3,
  });
});

describe('legacyConvertDesiredReplicasWithRules', () => {
  for (const c of groups.legacyConvertDesiredReplicasWithRules.cases) {
    it(title(c), () => {
      if (typeof c.expectedReplicas === 'string') {
        // the upstream test asserts calculateScaleUpLimit(3) with its init() factor of 8
        expect(convertDesiredReplicasWithRules(c.currentReplicas, c.prenormalizedDesiredReplicas, c.minReplicas, c.maxReplicas, 8)).toEqual({
          replicas: c.expectedReplicasWithTestFactor8,
          condition: c.expectedCondition,
        });
        expect(calculateScaleUpLimit(c.currentReplicas, 8)).toBe(c.expectedReplicasWithTestFactor8);
        // production factor 2.0
        expect(convertDesiredReplicasWithRules(c.currentReplicas, c.prenormalizedDesiredReplicas, c.minReplicas, c.maxReplicas)).toEqual({
          replicas: c.expectedReplicasWithProductionFactor2,
          condition: c.expectedCondition,
        });
      } else {
        expect(convertDesiredReplicasWithRules(c.currentReplicas, c.prenormalizedDesiredReplicas, c.minReplicas, c.maxReplicas)).toEqual({
          replicas: c.expectedReplicas,
          condition: c.expectedCondition,
        });
      }
    });
  }
  it('the legacy cap is max(2 × current, 4) in production', () => {
    expect([0, 1, 2, 3, 10].map((n) => calculateScaleUpLimit(n))).toEqual([4, 4, 4, 6, 20]);
  });
});

describe('legacyStabilizeRecommendation', () => {
  for (const c of groups.legacyStabilizeRecommendation.cases) {
    it(title(c), () => {
      const log = recs(c.recommendations);
      expect(stabilizeRecommendation(log, NOW, c.prenormalizedDesiredReplicas, c.downscaleStabilisationWindowSeconds)).toBe(c.expectedStabilizedReplicas);
      expect(log.length).toBe(c.expectedLogLength);
      expect(log.some((r) => r.time === NOW && r.replicas === c.prenormalizedDesiredReplicas)).toBe(true);
    });
  }
});

describe('scaleLimitFunctions', () => {
  for (const c of groups.scaleLimitFunctions.cases) {
    it(title(c), () => {
      expect(c.function).toBe('calculateScaleUpLimitWithScalingRules');
      expect(calculateScaleUpLimitWithScalingRules(c.currentReplicas, events(c.scaleUpEvents), events(c.scaleDownEvents), rules(c.rules), NOW)).toBe(c.expected);
    });
  }
});

describe('behaviorRateLimits (convertDesiredReplicasWithBehaviorRate)', () => {
  for (const c of groups.behaviorRateLimits.cases) {
    it(`${title(c)}${c.skippedByTest ? ' [not asserted upstream]' : ''}`, () => {
      const r = convertDesiredReplicasWithBehaviorRate({
        currentReplicas: c.currentReplicas,
        desiredReplicas: c.prenormalizedDesiredReplicas,
        minReplicas: c.minReplicas,
        maxReplicas: c.maxReplicas,
        scaleUp: rules(c.scaleUpRules),
        scaleDown: rules(c.scaleDownRules),
        scaleUpEvents: events(c.scaleUpEvents),
        scaleDownEvents: events(c.scaleDownEvents),
        now: NOW,
      });
      expect(r).toEqual({ replicas: c.expectedReplicas, condition: c.expectedCondition });
    });
  }
  it('nil rules are generated with the API defaults used by the harness', () => {
    const b = withBehaviorDefaults({});
    const first = groups.behaviorRateLimits.cases[0];
    expect(b.scaleUp).toEqual(rules(first.scaleUpRules));
    expect(b.scaleDown).toEqual(rules(first.scaleDownRules));
  });
});

describe('stabilizeRecommendationWithBehaviors', () => {
  for (const c of groups.stabilizeRecommendationWithBehaviors.cases) {
    it(title(c), () => {
      const log = recs(c.recommendations);
      const r = stabilizeRecommendationWithBehaviors(log, NOW, c.currentReplicas, c.prenormalizedDesiredReplicas, c.scaleUpStabilizationWindowSeconds, c.scaleDownStabilizationWindowSeconds);
      expect(r).toBe(c.expectedStabilizedReplicas);
      if (c.expectedStoredRecommendations) expect(log.map((x) => x.replicas)).toEqual(c.expectedStoredRecommendations);
    });
  }
});

describe('replicasChangePerPeriod', () => {
  for (const c of groups.replicasChangePerPeriod.cases) {
    it(title(c), () => {
      const period = Number(/getReplicasChangePerPeriod\((\d+)/.exec(c.function)![1]);
      expect(getReplicasChangePerPeriod(period, events(c.events), NOW)).toBe(c.expected);
    });
  }
  it('an event exactly periodSeconds old is excluded', () => {
    expect(getReplicasChangePerPeriod(60, [{ replicaChange: 3, time: NOW - 60 }], NOW)).toBe(0);
  });
});

describe('controllerLevel (reconcileAutoscaler)', () => {
  const cpu = (m: any) =>
    m.perPodUsageMillicores.map((u: number, i: number) => ({ value: u, requestMilli: Number(m.perPodRequestCores[i]) * 1000 }));
  for (const c of groups.controllerLevel.cases) {
    it(title(c), () => {
      const state = newHpaState();
      if (c.recommendations) state.recommendations.push(...recs(c.recommendations));
      const behavior = c.scaleUpRules ? withBehaviorDefaults({ scaleUp: rules(c.scaleUpRules), scaleDown: rules(c.scaleDownRules) }) : null;
      const r = reconcileHpa(
        { minReplicas: c.minReplicas, maxReplicas: c.maxReplicas, behavior, downscaleStabilizationSeconds: c.downscaleStabilizationWindowSeconds ?? 300 },
        state,
        NOW,
        c.specReplicas,
        () => {
          const p: Array<number | Error> = [
            resourceUtilizationReplicas({ currentReplicas: c.specReplicas, targetUtilization: c.metric.targetPercent, pods: cpu(c.metric) }).replicas,
          ];
          // TestScaleUpOneMetricEmpty: a second (External) metric whose fetch fails
          if (c.metric.type.includes('fetch fails')) p.push(new HpaMetricError('unable to get external metric'));
          return p;
        },
      );
      expect(r.desiredReplicas).toBe(c.expectedReplicas);
      if (c.expectedCondition?.includes('TooManyReplicas')) expect(r.reason).toBe('TooManyReplicas');
    });
  }
  it('a failed metric blocks a scale-down (some invalid and the rest would scale down)', () => {
    const r = reconcileHpa({ minReplicas: 1, maxReplicas: 10, behavior: null }, newHpaState(), NOW, 5, () => [2, new HpaMetricError('x')]);
    expect(r).toEqual({ desiredReplicas: 5, rescale: false, reason: 'metrics-invalid' });
  });
  it('spec.replicas 0 with minReplicas ≠ 0 disables scaling (KEDA at zero)', () => {
    expect(reconcileHpa({ minReplicas: 1, maxReplicas: 10, behavior: null }, newHpaState(), NOW, 0, () => [9]).rescale).toBe(false);
  });
  it('scale events are stored only with behavior, reusing outdated slots', () => {
    const state = newHpaState();
    storeScaleEvent(null, state, NOW, 1, 5);
    expect(state.scaleUpEvents).toEqual([]);
    const b = withBehaviorDefaults({ scaleUp: { policies: [{ type: 'Pods', value: 4, periodSeconds: 60 }] } });
    storeScaleEvent(b, state, NOW, 1, 5);
    storeScaleEvent(b, state, NOW + 61, 5, 9);
    expect(state.scaleUpEvents).toEqual([{ replicaChange: 4, time: NOW + 61, outdated: false }]);
    storeScaleEvent(b, state, NOW + 70, 9, 7);
    expect(state.scaleDownEvents).toEqual([{ replicaChange: 2, time: NOW + 70, outdated: false }]);
  });
  it('External Value with the behavior path and an up-stabilisation window holds the lowest recent proposal', () => {
    const b = withBehaviorDefaults({ scaleUp: { stabilizationWindowSeconds: 60 } });
    const spec = { minReplicas: 1, maxReplicas: 50, behavior: b };
    const state = newHpaState();
    const sync = (t: number, value: number, cur: number) =>
      reconcileHpa(spec, state, t, cur, () => [externalValueReplicas({ currentReplicas: cur, readyPods: cur, value, target: 10 }).replicas]).desiredReplicas;
    expect(sync(0, 20, 2)).toBe(4);
    expect(sync(15, 10, 4)).toBe(4); // within tolerance: the proposal is the current count
    expect(sync(30, 100, 4)).toBe(4); // up-window min over {4, 4, 40} keeps 4
  });
});
