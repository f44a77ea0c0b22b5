/**
 * Maintenance-window schedules: parsing Systems Manager's `cron(...)`, `rate(...)` and `at(...)`
 * expressions, and computing when a window runs.
 *
 * Pure: no clock, no storage. Everything takes the instants it needs as arguments.
 *
 * Time model. Cron and at() describe *wall-clock* times in the window's IANA time zone; rate()
 * describes elapsed time. Wall-clock times are handled as plain field tuples (year … second) and
 * converted to instants only at the end, with `Intl.DateTimeFormat`, which knows every zone's
 * daylight-saving history. The conversion makes two choices wherever the wall clock is not a
 * one-to-one map of time:
 *
 *  - A wall-clock time that does not exist (the spring-forward gap, e.g. 02:30 in Paris on the
 *    last Sunday of March) runs at the first instant after the gap, i.e. when the clock shows
 *    03:00. We do not skip it (a weekly 02:30 patch window would silently miss a week) and we do
 *    not shift it by the gap length (02:30 → 03:30), because that would run it *after* a 03:00
 *    run of the same schedule and break the ordering of runs.
 *  - A wall-clock time that happens twice (the fall-back overlap) runs once, at its first
 *    occurrence. Consequently a schedule that fires several times an hour has no runs during the
 *    repeated hour's second pass: each of those wall-clock times already ran an hour earlier.
 *
 * With both choices the map wall-clock → instant never goes backwards, so "the first run after
 * instant T" is simply the first matching wall-clock time, in calendar order, whose instant is
 * after T. That is what lets `nextRunTime` step field by field instead of minute by minute.
 */
import { ServiceError } from '../../rpc/errors.js';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/** Day-of-month selection of a cron expression (absent when that field is `?`). */
export interface CronDayOfMonth {
  /** Plain days 1-31 (from numbers, ranges, lists, increments, `*`), ascending. */
  readonly days: readonly number[];
  /** `L`: the last day of the month. */
  readonly last: boolean;
  /** `LW`: the last weekday (Monday-Friday) of the month. */
  readonly lastWeekday: boolean;
  /** `nW`: the weekday nearest to day n, never leaving the month. */
  readonly nearestWeekday: readonly number[];
}

/** Day-of-week selection of a cron expression (absent when that field is `?`). 1 = Sunday … 7 = Saturday. */
export interface CronDayOfWeek {
  /** Plain week days, ascending. */
  readonly days: readonly number[];
  /** `nL`: the last such week day of the month (plain `L` is Saturday). */
  readonly last: readonly number[];
  /** `n#k`: the k-th (1-5) such week day of the month. */
  readonly nth: readonly { readonly weekday: number; readonly n: number }[];
}

/** A wall-clock date-time with no time zone attached. Month 1-12. */
export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

export type ParsedSchedule =
  | {
      kind: 'cron';
      expression: string;
      /** The fixed Seconds value (0 unless the 7-field form gave one). */
      second: number;
      minutes: readonly number[];
      hours: readonly number[];
      /** Undefined when Day-of-month is `?`. */
      dayOfMonth?: CronDayOfMonth;
      months: readonly number[];
      /** Undefined when Day-of-week is `?`. */
      dayOfWeek?: CronDayOfWeek;
      years: readonly number[];
    }
  | { kind: 'rate'; expression: string; value: number; unit: 'minute' | 'hour' | 'day' }
  | ({ kind: 'at'; expression: string } & WallClock);

type CronSchedule = Extract<ParsedSchedule, { kind: 'cron' }>;
type AtSchedule = Extract<ParsedSchedule, { kind: 'at' }>;

export interface WindowSchedule {
  /** The window's Schedule. */
  schedule: string;
  /** ScheduleTimezone, IANA; default UTC. */
  timeZone?: string;
  /** StartDate, ISO-8601 (with offset or Z): no run before it. */
  startDate?: string;
  /** EndDate, ISO-8601: no run after it. */
  endDate?: string;
  /** ScheduleOffset 1..6, cron only: runs that many days after each cron date. */
  offsetDays?: number;
  /**
   * For rate(): runs at anchor + k*interval (anchor = StartDate if set, else the window's creation
   * time). For cron() with a ScheduleOffset: cron dates before the anchor do not count, even when
   * date + offset is still ahead (Systems Manager: a window whose cron date already passed when it
   * was created does not run in that period, whatever the offset).
   */
  anchor: Date;
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

const MIN_YEAR = 1970;
const MAX_YEAR = 2199;

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names accepted in place of numbers (index 0 ↔ min). */
  readonly names?: readonly string[];
  /** Whether a range may wrap past the maximum (FRI-MON, 22-2, NOV-FEB). Not for years. */
  readonly cyclic: boolean;
}

const MINUTES: FieldSpec = { name: 'Minutes', min: 0, max: 59, cyclic: true };
const HOURS: FieldSpec = { name: 'Hours', min: 0, max: 23, cyclic: true };
const DAY_OF_MONTH: FieldSpec = { name: 'Day-of-month', min: 1, max: 31, cyclic: true };
const MONTH: FieldSpec = { name: 'Month', min: 1, max: 12, names: MONTH_NAMES, cyclic: true };
const DAY_OF_WEEK: FieldSpec = { name: 'Day-of-week', min: 1, max: 7, names: DAY_NAMES, cyclic: true };
const YEAR: FieldSpec = { name: 'Year', min: MIN_YEAR, max: MAX_YEAR, cyclic: false };

/** Thrown for every invalid expression; names the expression so the caller's message is useful as is. */
function invalid(expression: string, why: string): ServiceError {
  return new ServiceError('ValidationException', `Invalid schedule expression "${expression}": ${why}`);
}

/**
 * Parses a maintenance-window Schedule.
 * Throws ServiceError('ValidationException', …) naming the expression and what is wrong.
 */
export function parseSchedule(expression: string): ParsedSchedule {
  if (typeof expression !== 'string') {
    throw new ServiceError('ValidationException', 'Invalid schedule expression: it must be a string.');
  }
  const text = expression.trim();
  // The keyword is matched case-insensitively: AWS documents it in lower case, and nothing is
  // gained by rejecting `Cron(...)`.
  const match = /^(cron|rate|at)\s*\((.*)\)$/is.exec(text);
  if (!match) {
    throw invalid(expression, 'expected cron(...), rate(...) or at(...).');
  }
  const keyword = match[1]!.toLowerCase();
  const body = match[2]!.trim();
  if (keyword === 'cron') return parseCron(text, body);
  if (keyword === 'rate') return parseRate(text, body);
  return parseAt(text, body);
}

// --- cron --------------------------------------------------------------------------------------

function parseCron(expression: string, body: string): CronSchedule {
  const fields = body === '' ? [] : body.split(/\s+/);
  if (fields.length !== 6 && fields.length !== 7) {
    throw invalid(
      expression,
      `a cron expression has 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), or 7 with a leading Seconds field; found ${fields.length}.`,
    );
  }
  let second = 0;
  if (fields.length === 7) {
    // Maintenance windows only take a fixed second: a wildcard there would mean "every second".
    const raw = fields.shift()!;
    if (!/^\d{1,2}$/.test(raw) || Number(raw) > 59) {
      throw invalid(expression, `the Seconds field must be a single number 0-59 (wildcards, ranges and lists are not allowed there); found "${raw}".`);
    }
    second = Number(raw);
  }
  const [minF, hourF, domF, monF, dowF, yearF] = fields as [string, string, string, string, string, string];

  // Exactly one of the two day fields is `?`: the other one says which days run. Both set would
  // be ambiguous (AND or OR?), both `?` would select nothing.
  const domQ = domF === '?';
  const dowQ = dowF === '?';
  if (domQ && dowQ) {
    throw invalid(expression, 'Day-of-month and Day-of-week cannot both be "?"; one of them must select the days.');
  }
  if (!domQ && !dowQ) {
    throw invalid(expression, 'one of Day-of-month and Day-of-week must be "?" (the other one selects the days).');
  }

  return {
    kind: 'cron',
    expression,
    second,
    minutes: parseSimpleField(expression, minF, MINUTES),
    hours: parseSimpleField(expression, hourF, HOURS),
    dayOfMonth: domQ ? undefined : parseDayOfMonth(expression, domF),
    months: parseSimpleField(expression, monF, MONTH),
    dayOfWeek: dowQ ? undefined : parseDayOfWeek(expression, dowF),
    years: parseSimpleField(expression, yearF, YEAR),
  };
}

/** Splits a field on commas, refusing empty items and a `?` anywhere but in a day field on its own. */
function listItems(expression: string, raw: string, spec: FieldSpec): string[] {
  const items = raw.split(',');
  for (const item of items) {
    if (item === '') throw invalid(expression, `the ${spec.name} field "${raw}" has an empty list item.`);
    if (item.includes('?')) {
      const where =
        spec === DAY_OF_MONTH || spec === DAY_OF_WEEK
          ? 'it must be the whole field'
          : 'it is only allowed in Day-of-month or Day-of-week';
      throw invalid(expression, `"?" in the ${spec.name} field "${raw}": ${where}.`);
    }
  }
  return items;
}

/** A single number or (where the field has them) name, e.g. `5`, `MAR`, `fri`. */
function parseValue(expression: string, token: string, spec: FieldSpec, raw: string): number {
  let value: number;
  if (/^\d+$/.test(token)) {
    value = Number(token);
  } else {
    const index = spec.names?.indexOf(token.toUpperCase()) ?? -1;
    if (index < 0) {
      const hint = spec.names ? ` or ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : '';
      throw invalid(expression, `"${token}" in the ${spec.name} field "${raw}" is not a valid value (expected ${spec.min}-${spec.max}${hint}).`);
    }
    value = spec.min + index;
  }
  if (value < spec.min || value > spec.max) {
    throw invalid(expression, `${spec.name} value ${token} in "${raw}" is out of range ${spec.min}-${spec.max}.`);
  }
  return value;
}

/**
 * Values of a `*`, `a`, `a-b`, `a/n`, `*\/n` or `a-b/n` item. A wrapped range (`FRI-MON`) runs
 * past the maximum and starts again at the minimum.
 */
function expandItem(expression: string, item: string, spec: FieldSpec, raw: string): number[] {
  const slash = item.split('/');
  if (slash.length > 2) throw invalid(expression, `"${item}" in the ${spec.name} field has more than one "/".`);
  const [base, stepText] = slash as [string, string | undefined];
  const span = spec.max - spec.min + 1;

  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d+$/.test(stepText) || Number(stepText) < 1 || Number(stepText) > span) {
      throw invalid(expression, `the increment in "${item}" (${spec.name} field) must be a whole number 1-${span}.`);
    }
    step = Number(stepText);
  }

  let start: number;
  let length: number; // how many consecutive values, counted cyclically from start
  if (base === '*') {
    start = spec.min;
    length = span;
  } else if (base.includes('-')) {
    const parts = base.split('-');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      throw invalid(expression, `"${item}" in the ${spec.name} field is not a valid range (expected a-b).`);
    }
    start = parseValue(expression, parts[0]!, spec, raw);
    const end = parseValue(expression, parts[1]!, spec, raw);
    if (end < start && !spec.cyclic) {
      throw invalid(expression, `the ${spec.name} range "${base}" ends before it starts.`);
    }
    length = end >= start ? end - start + 1 : spec.max - start + 1 + (end - spec.min + 1);
  } else {
    start = parseValue(expression, base, spec, raw);
    // `a/n` means from a to the end of the field every n; a plain `a` is just a.
    length = stepText === undefined ? 1 : spec.max - start + 1;
  }

  const values: number[] = [];
  for (let i = 0; i < length; i += step) {
    values.push(spec.min + ((start - spec.min + i) % span));
  }
  return values;
}

function sortedUnique(values: Iterable<number>): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

function parseSimpleField(expression: string, raw: string, spec: FieldSpec): number[] {
  const values: number[] = [];
  for (const item of listItems(expression, raw, spec)) {
    if (/[LW#]/i.test(item) && !spec.names) {
      throw invalid(expression, `"${item}" in the ${spec.name} field: L, W and # are only allowed in Day-of-month and Day-of-week.`);
    }
    values.push(...expandItem(expression, item, spec, raw));
  }
  return sortedUnique(values);
}

function parseDayOfMonth(expression: string, raw: string): CronDayOfMonth {
  const days: number[] = [];
  const nearest: number[] = [];
  let last = false;
  let lastWeekday = false;
  for (const item of listItems(expression, raw, DAY_OF_MONTH)) {
    const upper = item.toUpperCase();
    if (upper === 'L') {
      last = true;
    } else if (upper === 'LW') {
      lastWeekday = true;
    } else if (/^\d+W$/.test(upper)) {
      nearest.push(parseValue(expression, upper.slice(0, -1), DAY_OF_MONTH, raw));
    } else if (/[LW#]/.test(upper)) {
      throw invalid(
        expression,
        `"${item}" in the Day-of-month field is not valid: use L (last day), LW (last weekday) or nW (weekday nearest day n); # belongs in Day-of-week.`,
      );
    } else {
      days.push(...expandItem(expression, item, DAY_OF_MONTH, raw));
    }
  }
  return { days: sortedUnique(days), last, lastWeekday, nearestWeekday: sortedUnique(nearest) };
}

function parseDayOfWeek(expression: string, raw: string): CronDayOfWeek {
  const days: number[] = [];
  const last: number[] = [];
  const nth: { weekday: number; n: number }[] = [];
  for (const item of listItems(expression, raw, DAY_OF_WEEK)) {
    const upper = item.toUpperCase();
    const hash = /^([A-Z]+|\d+)#(\d+)$/.exec(upper);
    if (upper === 'L') {
      // A bare L in Day-of-week is the last day of the week: Saturday.
      days.push(7);
    } else if (/^([A-Z]+|\d+)L$/.test(upper) && upper !== 'L') {
      last.push(parseValue(expression, upper.slice(0, -1), DAY_OF_WEEK, raw));
    } else if (hash) {
      const weekday = parseValue(expression, hash[1]!, DAY_OF_WEEK, raw);
      const n = Number(hash[2]);
      if (n < 1 || n > 5) {
        throw invalid(expression, `"${item}" in the Day-of-week field: the occurrence after # must be 1-5.`);
      }
      nth.push({ weekday, n });
    } else if (/[#W]/.test(upper) || /\dL|L$/.test(upper)) {
      throw invalid(
        expression,
        `"${item}" in the Day-of-week field is not valid: use nL (last week day n of the month) or n#k (k-th week day n); W belongs in Day-of-month.`,
      );
    } else {
      days.push(...expandItem(expression, item, DAY_OF_WEEK, raw));
    }
  }
  const byKey = new Map(nth.map((x) => [`${x.weekday}#${x.n}`, x]));
  const uniqueNth = [...byKey.values()].sort((a, b) => a.weekday - b.weekday || a.n - b.n);
  return { days: sortedUnique(days), last: sortedUnique(last), nth: uniqueNth };
}

// --- rate --------------------------------------------------------------------------------------

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
/**
 * Systems Manager lets State Manager associations run every 30 minutes at the most; maintenance
 * windows, which last at least an hour, are normally scheduled in hours or days. We accept hours
 * and days of any positive value, and minutes from 30 up, so a window cannot be scheduled so often
 * that its runs would pile on top of each other.
 */
const MIN_RATE_MINUTES = 30;
/** Beyond the range of a JavaScript Date, an interval means nothing. */
const MAX_INTERVAL_MS = 8.64e15;

function parseRate(expression: string, body: string): ParsedSchedule {
  const match = /^(\S+)\s+(\S+)$/.exec(body);
  if (!match) {
    throw invalid(expression, 'a rate expression is rate(value unit), e.g. rate(1 hour) or rate(7 days).');
  }
  const [, valueText, unitText] = match as unknown as [string, string, string];
  if (!/^\d+$/.test(valueText) || Number(valueText) < 1) {
    throw invalid(expression, `the rate value "${valueText}" must be a positive whole number.`);
  }
  const value = Number(valueText);
  const unitLower = unitText.toLowerCase();
  const singular = unitLower.endsWith('s') ? unitLower.slice(0, -1) : unitLower;
  if (singular !== 'minute' && singular !== 'hour' && singular !== 'day') {
    throw invalid(expression, `the rate unit "${unitText}" must be minute(s), hour(s) or day(s).`);
  }
  const unit = singular;
  // English grammar, as Systems Manager enforces it: the singular with 1, the plural otherwise.
  if (value === 1 && unitLower !== unit) {
    throw invalid(expression, `with a value of 1 the unit is singular: rate(1 ${unit}).`);
  }
  if (value !== 1 && unitLower === unit) {
    throw invalid(expression, `with a value other than 1 the unit is plural: rate(${value} ${unit}s).`);
  }
  if (unit === 'minute' && value < MIN_RATE_MINUTES) {
    throw invalid(expression, `a maintenance window cannot run more often than every ${MIN_RATE_MINUTES} minutes.`);
  }
  if (value * UNIT_MS[unit] > MAX_INTERVAL_MS) {
    throw invalid(expression, 'the rate interval is too long.');
  }
  return { kind: 'rate', expression, value, unit };
}

// --- at ----------------------------------------------------------------------------------------

function parseAt(expression: string, body: string): AtSchedule {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (!match) {
    throw invalid(expression, 'an at expression is at(yyyy-mm-ddThh:mm:ss), e.g. at(2025-07-07T15:55:00).');
  }
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  if (year < MIN_YEAR || year > MAX_YEAR) throw invalid(expression, `the year must be ${MIN_YEAR}-${MAX_YEAR}.`);
  if (month < 1 || month > 12) throw invalid(expression, `month ${match[2]} is out of range 01-12.`);
  if (day < 1 || day > daysInMonth(year, month)) {
    throw invalid(expression, `${match[1]}-${match[2]} has no day ${match[3]}.`);
  }
  if (hour > 23 || minute > 59 || second > 59) {
    throw invalid(expression, `${match[4]}:${match[5]}:${match[6]} is not a valid time of day.`);
  }
  return { kind: 'at', expression, year, month, day, hour, minute, second };
}

// ---------------------------------------------------------------------------------------------
// Time zones and wall clocks
// ---------------------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True for an IANA time zone name Node's Intl knows ("Europe/Paris", "UTC", "America/New_York"). */
export function isValidTimeZone(name: string): boolean {
  // Newer engines also take UTC offsets such as "+01:00" as a time zone; those are not IANA names.
  if (typeof name !== 'string' || !/^[A-Za-z]/.test(name)) return false;
  try {
    formatterFor(name);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock in `timeZone` at instant `ms` (milliseconds dropped). */
function wallClockAt(ms: number, timeZone: string): WallClock {
  const parts = formatterFor(timeZone).formatToParts(ms);
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)!.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** The wall clock read as if it were UTC: a number that orders and subtracts like the fields. */
function wallAsUtc(w: WallClock): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

function utcAsWall(ms: number): WallClock {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

/** UTC offset of `timeZone` at instant `ms`, in milliseconds (Paris in summer: +7,200,000). */
function offsetAt(ms: number, timeZone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return wallAsUtc(wallClockAt(whole, timeZone)) - whole;
}

const DAY_MS = 86_400_000;

/**
 * The instant at which the wall clock in `timeZone` shows `w`.
 * Overlap (fall back): the first occurrence. Gap (spring forward): the first instant after the gap.
 */
function instantOf(w: WallClock, timeZone: string): number {
  const local = wallAsUtc(w);
  // An instant t shows `local` when t + offset(t) = local. The offsets that can be in force are
  // the ones a day either side (no zone changes twice within a day) and the one at `local` itself.
  const before = offsetAt(local - DAY_MS, timeZone);
  const after = offsetAt(local + DAY_MS, timeZone);
  const candidates = new Set([before, after, offsetAt(local, timeZone)]);
  let best: number | undefined;
  for (const offset of candidates) {
    const t = local - offset;
    if (offsetAt(t, timeZone) === offset && (best === undefined || t < best)) best = t;
  }
  if (best !== undefined) return best;

  // A gap: the clock jumped from before `local` to after it. The jump happened somewhere between
  // local - after (still the old offset) and local - before (already the new one); find the
  // first second with the new offset by bisection.
  let lo = local - after;
  let hi = local - before;
  if (!(lo < hi)) return hi; // not a simple forward jump; give the old-offset reading
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetAt(mid, timeZone) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

// ---------------------------------------------------------------------------------------------
// Calendar helpers (proleptic Gregorian, on plain fields)
// ---------------------------------------------------------------------------------------------

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 1 = Sunday … 7 = Saturday, the cron numbering. */
function weekday(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

function addDays(w: WallClock, days: number): WallClock {
  return utcAsWall(wallAsUtc(w) + days * DAY_MS);
}

function addSeconds(w: WallClock, seconds: number): WallClock {
  return utcAsWall(wallAsUtc(w) + seconds * 1000);
}

/** The smallest value in ascending `values` that is ≥ `from`. */
function ceilIn(values: readonly number[], from: number): number | undefined {
  for (const v of values) if (v >= from) return v;
  return undefined;
}

/** Which days of (year, month) the cron's day fields select; index = day of month. */
function matchingDays(cron: CronSchedule, year: number, month: number): boolean[] {
  const dim = daysInMonth(year, month);
  const hit: boolean[] = new Array<boolean>(dim + 1).fill(false);
  const dom = cron.dayOfMonth;
  const dow = cron.dayOfWeek;
  if (dom) {
    for (const d of dom.days) if (d <= dim) hit[d] = true; // the 31st does not exist in April
    if (dom.last) hit[dim] = true;
    if (dom.lastWeekday) {
      const wd = weekday(year, month, dim);
      hit[wd === 1 ? dim - 2 : wd === 7 ? dim - 1 : dim] = true;
    }
    for (const n of dom.nearestWeekday) {
      if (n > dim) continue; // 31W in a 30-day month: that day does not exist, so no run
      const wd = weekday(year, month, n);
      // Saturday → Friday before, Sunday → Monday after; but never into another month, in which
      // case it goes the other way (1st on a Saturday → Monday 3rd; last day on a Sunday → Friday).
      let d = n;
      if (wd === 7) d = n > 1 ? n - 1 : n + 2;
      else if (wd === 1) d = n < dim ? n + 1 : n - 2;
      hit[d] = true;
    }
  }
  if (dow) {
    const first = weekday(year, month, 1);
    for (let d = 1; d <= dim; d++) {
      const wd = ((first - 1 + d - 1) % 7) + 1;
      if (dow.days.includes(wd)) hit[d] = true;
      else if (d + 7 > dim && dow.last.includes(wd)) hit[d] = true;
      else if (dow.nth.some((x) => x.weekday === wd && x.n === Math.ceil(d / 7))) hit[d] = true;
    }
  }
  return hit;
}

/**
 * The first wall-clock time ≥ `from` that the cron expression selects, or undefined when there
 * is none up to the last cron year. Steps field by field: a year that does not match is skipped
 * whole, then a month, a day, an hour — so even a date decades away takes a few hundred steps.
 */
function nextCronWallClock(cron: CronSchedule, from: WallClock): WallClock | undefined {
  let { year, month, day, hour, minute } = from;
  // Runs are at a fixed second; if we are already past it in this minute, start at the next one.
  if (from.second > cron.second) minute += 1;

  // Each step either returns or moves strictly forward; the bound only guards against a bug.
  for (let guard = 0; guard < 100_000; guard++) {
    const y = ceilIn(cron.years, year);
    if (y === undefined) return undefined;
    if (y !== year) [year, month, day, hour, minute] = [y, 1, 1, 0, 0];

    const m = ceilIn(cron.months, month);
    if (m === undefined) {
      [year, month, day, hour, minute] = [year + 1, 1, 1, 0, 0];
      continue;
    }
    if (m !== month) [month, day, hour, minute] = [m, 1, 0, 0];

    const days = matchingDays(cron, year, month);
    let d = day;
    while (d < days.length && !days[d]) d++;
    if (d >= days.length) {
      [month, day, hour, minute] = [month + 1, 1, 0, 0]; // month 13 carries into the next year above
      continue;
    }
    if (d !== day) [day, hour, minute] = [d, 0, 0];

    const h = ceilIn(cron.hours, hour);
    if (h === undefined) {
      [day, hour, minute] = [day + 1, 0, 0]; // past the month's end carries into the next month
      continue;
    }
    if (h !== hour) [hour, minute] = [h, 0];

    const mi = ceilIn(cron.minutes, minute);
    if (mi === undefined) {
      [hour, minute] = [hour + 1, 0]; // hour 24 carries into the next day
      continue;
    }
    return { year, month, day, hour, minute: mi, second: cron.second };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Run times
// ---------------------------------------------------------------------------------------------

/** Parsing is cheap, but the scheduler asks about the same few schedules over and over. */
const parsedCache = new Map<string, ParsedSchedule>();

function cachedParse(expression: string): ParsedSchedule {
  let parsed = parsedCache.get(expression);
  if (!parsed) {
    parsed = parseSchedule(expression);
    if (parsedCache.size >= 1000) parsedCache.clear();
    parsedCache.set(expression, parsed);
  }
  return parsed;
}

/**
 * Parses a StartDate/EndDate: ISO-8601 date-time with `Z` or an offset (`2021-04-07T14:29:00-08:00`),
 * or a bare date. A value without an offset is read as UTC — the window's time zone does not
 * apply to these bounds (AWS: "the time zone option and the start date and end date options
 * don't influence each other"). Throws ServiceError('ValidationException') when malformed.
 */
export function parseScheduleDate(value: string, name = 'date'): Date {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(
      typeof value === 'string' ? value.trim() : '',
    );
  const bad = (): ServiceError =>
    new ServiceError('ValidationException', `Invalid ${name} "${value}": expected an ISO-8601 timestamp such as 2021-04-07T14:29:00-08:00.`);
  if (!m) throw bad();
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    throw bad();
  }
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  let offsetMs = 0;
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) throw bad();
    offsetMs = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMs);
}

function checkWindow(window: WindowSchedule): { parsed: ParsedSchedule; timeZone: string; offsetDays: number } {
  const parsed = cachedParse(window.schedule);
  const timeZone = window.timeZone ?? 'UTC';
  if (!isValidTimeZone(timeZone)) {
    throw new ServiceError('ValidationException', `Invalid schedule time zone "${timeZone}": expected an IANA time zone name such as Europe/Paris.`);
  }
  const offsetDays = window.offsetDays ?? 0;
  if (offsetDays !== 0) {
    if (!Number.isInteger(offsetDays) || offsetDays < 1 || offsetDays > 6) {
      throw new ServiceError('ValidationException', `Invalid schedule offset ${offsetDays}: it must be a whole number of days 1-6.`);
    }
    if (parsed.kind !== 'cron') {
      throw new ServiceError('ValidationException', 'A schedule offset can only be used with a cron expression.');
    }
  }
  if (!(window.anchor instanceof Date) || Number.isNaN(window.anchor.getTime())) {
    throw new RangeError('nextRunTime: the anchor is not a valid Date');
  }
  return { parsed, timeZone, offsetDays };
}

/** The first run strictly after `after`, or undefined when there is none (past EndDate, an at() already passed). */
export function nextRunTime(window: WindowSchedule, after: Date): Date | undefined {
  const { parsed, timeZone, offsetDays } = checkWindow(window);
  if (Number.isNaN(after.getTime())) throw new RangeError('nextRunTime: `after` is not a valid Date');

  // "No run before StartDate": looking for the first run > after and ≥ start is looking for the
  // first run > max(after, start - 1 ms).
  let floor = after.getTime();
  if (window.startDate !== undefined) floor = Math.max(floor, parseScheduleDate(window.startDate, 'StartDate').getTime() - 1);
  const end = window.endDate === undefined ? undefined : parseScheduleDate(window.endDate, 'EndDate').getTime();

  const run = firstRunAfter(parsed, timeZone, offsetDays, window.anchor.getTime(), floor);
  if (run === undefined || (end !== undefined && run > end)) return undefined;
  return new Date(run);
}

/** The first run strictly after instant `floor`, ignoring EndDate. */
function firstRunAfter(parsed: ParsedSchedule, timeZone: string, offsetDays: number, anchor: number, floor: number): number | undefined {
  switch (parsed.kind) {
    case 'rate': {
      // Elapsed time, not wall-clock: rate(1 day) is every 24 hours, also across a DST change.
      const interval = parsed.value * UNIT_MS[parsed.unit];
      const k = floor < anchor ? 0 : Math.floor((floor - anchor) / interval) + 1;
      return anchor + k * interval;
    }
    case 'at': {
      const t = instantOf(parsed, timeZone);
      return t > floor ? t : undefined;
    }
    case 'cron': {
      // Runs are cron dates shifted by the offset, so the first candidate cron date is the wall
      // clock at `floor`, taken `offsetDays` earlier. Wall-clock times at or before it can only
      // map to instants at or before `floor` (the map never goes backwards), so none is missed.
      let from = addDays(wallClockAt(floor, timeZone), -offsetDays);
      if (offsetDays > 0) {
        // A cron date before the anchor (creation) does not count, even if date + offset is ahead.
        const anchorWall = wallClockAt(anchor, timeZone);
        if (wallAsUtc(anchorWall) > wallAsUtc(from)) from = anchorWall;
      }
      // Usually the first candidate is the answer. More are examined only when wall-clock times
      // repeat (the fall-back hour, whose second pass maps to instants already gone).
      for (let i = 0; i < 10_000; i++) {
        const base = nextCronWallClock(parsed, from);
        if (base === undefined) return undefined;
        const run = instantOf(offsetDays ? addDays(base, offsetDays) : base, timeZone);
        const baseOk = offsetDays === 0 || instantOf(base, timeZone) >= anchor;
        if (run > floor && baseOk) return run;
        from = addSeconds(base, 1);
      }
      return undefined;
    }
  }
}

/** Up to `count` runs strictly after `after` (for DescribeMaintenanceWindowSchedule). */
export function upcomingRunTimes(window: WindowSchedule, after: Date, count: number): Date[] {
  const runs: Date[] = [];
  let cursor = after;
  for (let i = 0; i < Math.floor(count); i++) {
    const next = nextRunTime(window, cursor);
    if (next === undefined) break;
    runs.push(next);
    cursor = next;
  }
  return runs;
}
