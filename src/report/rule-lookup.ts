// Rule meta by id for formatters that only hold a finding.
import { RULES } from '../../rules/index.js';
import type { RuleMeta } from '../diagnose/rule.js';

export function findRuleMeta(id: string): RuleMeta | undefined {
  return RULES.find((r) => r.meta.id === id)?.meta;
}
