import { z } from 'zod';
import { invalidOpsItemParameter } from './ops-item-rules.js';
import type { OpsItemRecord } from './ops-items.store.js';

type Operator = 'Equal' | 'Contains' | 'GreaterThan' | 'LessThan';

/** OpsItemFilter. Keys are checked by `opsItemPredicate`, which can say which ones Tend does not filter on. */
export const opsItemFiltersSchema = z
  .array(
    z.object({
      Key: z.string().min(1).max(128),
      Values: z.array(z.string().max(2048)).min(1).max(20),
      Operator: z.enum(['Equal', 'Contains', 'GreaterThan', 'LessThan']),
    }),
  )
  .max(20)
  .optional();
export type OpsItemFilters = NonNullable<z.infer<typeof opsItemFiltersSchema>>;

type Predicate = (item: OpsItemRecord) => boolean;

/** Only SearchableString data can be searched, as in OpsCenter; String data is seen by opening the item. */
const searchable = (item: OpsItemRecord) => Object.entries(item.operationalData).filter(([, v]) => v.Type === 'SearchableString');
const contains = (text: string | undefined, part: string) => text !== undefined && text.toLowerCase().includes(part.toLowerCase());

/** A filter value as a time: ISO 8601, or epoch seconds. */
function timeValue(key: string, value: string): number {
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (!Number.isFinite(ms)) throw invalidOpsItemParameter(['OpsItemFilters'], `The ${key} filter takes a time (ISO 8601 such as 2026-01-31T12:00:00Z, or epoch seconds); got "${value}".`);
  return ms;
}

function ordered(key: string, operator: Operator, values: string[], of: (item: OpsItemRecord) => number | undefined, parse: (v: string) => number): Predicate {
  const bounds = values.map(parse);
  return (item) => {
    const v = of(item);
    if (v === undefined) return false;
    return bounds.some((b) => (operator === 'GreaterThan' ? v > b : operator === 'LessThan' ? v < b : v === b));
  };
}

function textMatch(operator: Operator, values: string[], of: (item: OpsItemRecord) => string | undefined): Predicate {
  return (item) => values.some((v) => (operator === 'Contains' ? contains(of(item), v) : of(item) === v));
}

/** `{"key":"…","value":"…"}`, the form the OperationalData filter takes. */
function dataPair(value: string): { key: string; value: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  const pair = parsed as { key?: unknown; value?: unknown } | undefined;
  if (typeof pair?.key !== 'string' || typeof pair.value !== 'string') {
    throw invalidOpsItemParameter(['OpsItemFilters'], `The OperationalData filter takes values of the form {"key":"key_name","value":"a_value"}; got ${value}.`);
  }
  return { key: pair.key, value: pair.value };
}

const time = (key: string) => (v: string) => timeValue(key, v);
const number = (key: string) => (v: string) => {
  if (!/^\d+$/.test(v)) throw invalidOpsItemParameter(['OpsItemFilters'], `The ${key} filter takes a whole number; got "${v}".`);
  return Number(v);
};

/** Per key: the operators DescribeOpsItems documents for it, and the test. */
const FILTERS: Record<string, { operators: Operator[]; build(values: string[], operator: Operator, accountId: string): Predicate }> = {
  Status: { operators: ['Equal'], build: (values) => textMatch('Equal', values, (i) => i.status) },
  OpsItemId: { operators: ['Equal'], build: (values) => textMatch('Equal', values, (i) => i.opsItemId) },
  Source: { operators: ['Equal', 'Contains'], build: (values, op) => textMatch(op, values, (i) => i.source) },
  CreatedBy: { operators: ['Equal', 'Contains'], build: (values, op) => textMatch(op, values, (i) => i.createdBy) },
  Category: { operators: ['Equal'], build: (values) => textMatch('Equal', values, (i) => i.category) },
  Severity: { operators: ['Equal'], build: (values) => textMatch('Equal', values, (i) => i.severity) },
  OpsItemType: { operators: ['Equal'], build: (values) => textMatch('Equal', values, (i) => i.opsItemType) },
  // Equal compares the first 100 characters, and refuses a longer value, as Systems Manager documents.
  Title: {
    operators: ['Equal', 'Contains'],
    build(values, op) {
      if (op === 'Equal' && values.some((v) => v.length > 100)) throw invalidOpsItemParameter(['OpsItemFilters'], 'The Title filter value exceeds the length limit of 100 characters for Equal.');
      return op === 'Equal' ? textMatch('Equal', values, (i) => i.title.slice(0, 100)) : textMatch('Contains', values, (i) => i.title);
    },
  },
  Priority: { operators: ['Equal', 'GreaterThan', 'LessThan'], build: (values, op) => ordered('Priority', op, values, (i) => i.priority, number('Priority')) },
  CreatedTime: { operators: ['GreaterThan', 'LessThan'], build: (values, op) => ordered('CreatedTime', op, values, (i) => i.createdAt, time('CreatedTime')) },
  LastModifiedTime: { operators: ['GreaterThan', 'LessThan'], build: (values, op) => ordered('LastModifiedTime', op, values, (i) => i.modifiedAt, time('LastModifiedTime')) },
  PlannedStartTime: { operators: ['GreaterThan', 'LessThan'], build: (values, op) => ordered('PlannedStartTime', op, values, (i) => i.plannedStartTime, time('PlannedStartTime')) },
  PlannedEndTime: { operators: ['GreaterThan', 'LessThan'], build: (values, op) => ordered('PlannedEndTime', op, values, (i) => i.plannedEndTime, time('PlannedEndTime')) },
  ActualStartTime: { operators: ['GreaterThan', 'LessThan'], build: (values, op) => ordered('ActualStartTime', op, values, (i) => i.actualStartTime, time('ActualStartTime')) },
  ActualEndTime: { operators: ['GreaterThan', 'LessThan'], build: (values, op) => ordered('ActualEndTime', op, values, (i) => i.actualEndTime, time('ActualEndTime')) },
  OperationalData: {
    operators: ['Equal'],
    build(values) {
      const pairs = values.map(dataPair);
      return (item) => {
        const data = searchable(item);
        return pairs.some((p) => data.some(([k, v]) => k === p.key && v.Value === p.value));
      };
    },
  },
  OperationalDataKey: { operators: ['Equal'], build: (values) => (item) => searchable(item).some(([k]) => values.includes(k)) },
  OperationalDataValue: {
    operators: ['Equal', 'Contains'],
    build: (values, op) => (item) => searchable(item).some(([, v]) => values.some((want) => (op === 'Contains' ? contains(v.Value, want) : v.Value === want))),
  },
  // Every OpsItem is this account's.
  AccountId: { operators: ['Equal'], build: (values, _op, accountId) => () => values.includes(accountId) },
};

/**
 * One test for all the filters: every filter must match (AND), any of a
 * filter's values may (OR). Keys Systems Manager defines for Change Manager,
 * Explorer insights and access requests name things Tend does not have and
 * are refused rather than matching nothing silently.
 */
export function opsItemPredicate(filters: OpsItemFilters | undefined, accountId: string): Predicate {
  const tests = (filters ?? []).map((f) => {
    const filter = FILTERS[f.Key];
    if (!filter) throw invalidOpsItemParameter(['OpsItemFilters'], `Tend cannot filter OpsItems by ${f.Key}; filter keys: ${Object.keys(FILTERS).join(', ')}.`);
    if (!filter.operators.includes(f.Operator)) {
      throw invalidOpsItemParameter(['OpsItemFilters'], `The ${f.Key} filter takes the operator${filter.operators.length > 1 ? 's' : ''} ${filter.operators.join(', ')}, not ${f.Operator}.`);
    }
    return filter.build(f.Values, f.Operator, accountId);
  });
  return (item) => tests.every((test) => test(item));
}
