// The rule registry: every rule file in this folder, in id order. A meta-test fails when
// this list and the folder disagree.
import type { Rule } from '../src/diagnose/rule.js';
import { rule as QD101 } from './QD101-cpu-hpa-on-queue-worker.js';

export const RULES: Rule[] = [QD101];

export function findRule(id: string): Rule | undefined {
  const key = id.trim().toUpperCase();
  return RULES.find((r) => r.meta.id === key || r.meta.slug === id.trim().toLowerCase());
}
