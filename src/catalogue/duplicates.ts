/** Cross-field rule of both files: a code or part number is given once (a second price would be ambiguous). */
import type { PolicyIssue } from '../domain/policy';

/** One issue per repeated key, at `<list>[i].<field>`, naming the entry that gave it first. */
export function duplicateIssues(items: Record<string, unknown>[], list: string, field: string): PolicyIssue[] {
  const first = new Map<string, number>();
  const issues: PolicyIssue[] = [];
  items.forEach((item, i) => {
    const key = item[field];
    if (typeof key !== 'string') return;
    const seen = first.get(key);
    if (seen === undefined) first.set(key, i);
    else issues.push({ path: `${list}[${i}].${field}`, message: `"${key}" is already given by ${list}[${seen}]` });
  });
  return issues;
}
