import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../rpc/errors.js';
import {
  isValidTimeZone,
  nextRunTime,
  parseSchedule,
  parseScheduleDate,
  upcomingRunTimes,
  type ParsedSchedule,
  type WindowSchedule,
} from './schedule.js';

const ANCHOR = new Date('2020-01-01T00:00:00Z');

/** The next `count` runs after `after`, as ISO strings (easy to read in a failing diff). */
function runs(schedule: string, after: string, count: number, extra: Partial<WindowSchedule> = {}): string[] {
  return upcomingRunTimes({ schedule, anchor: ANCHOR, ...extra }, new Date(after), count).map((d) => d.toISOString());
}

function next(schedule: string, after: string, extra: Partial<WindowSchedule> = {}): string | undefined {
  return nextRunTime({ schedule, anchor: ANCHOR, ...extra }, new Date(after))?.toISOString();
}

/** Asserts a ValidationException whose message names the expression and contains `fragment`. */
function expectInvalid(expression: string, fragment: RegExp | string): void {
  let caught: unknown;
  try {
    parseSchedule(expression);
  } catch (err) {
    caught = err;
  }
  expect(caught, `${expression} should be rejected`).toBeInstanceOf(ServiceError);
  const error = caught as ServiceError;
  expect(error.type).toBe('ValidationException');
  expect(error.status).toBe(400);
  expect(error.message).toContain(expression.trim());
  expect(error.message).toMatch(fragment);
}

function cron(expression: string): Extract<ParsedSchedule, { kind: 'cron' }> {
  const parsed = parseSchedule(expression);
  if (parsed.kind !== 'cron') throw new Error('not cron');
  return parsed;
}

// -------------------------------------------------------------------------------------------------
describe('parseSchedule: cron syntax', () => {
  it('reads the six fields', () => {
    const c = cron('cron(15 10 * * ? *)');
    expect(c.second).toBe(0);
    expect(c.minutes).toEqual([15]);
    expect(c.hours).toEqual([10]);
    expect(c.dayOfMonth?.days).toHaveLength(31);
    expect(c.months).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(c.dayOfWeek).toBeUndefined();
    expect(c.years[0]).toBe(1970);
    expect(c.years.at(-1)).toBe(2199);
    expect(c.expression).toBe('cron(15 10 * * ? *)');
  });

  it('takes a fixed leading Seconds field in the 7-field form', () => {
    expect(cron('cron(30 0 23 ? * TUE#3 *)').second).toBe(30);
    expect(cron('cron(0 0 23 ? * TUE#3 *)')).toMatchObject({ second: 0, minutes: [0], hours: [23] });
  });

  it('expands ranges, lists and increments', () => {
    expect(cron('cron(0/15 * * * ? *)').minutes).toEqual([0, 15, 30, 45]);
    expect(cron('cron(*/20 * * * ? *)').minutes).toEqual([0, 20, 40]);
    expect(cron('cron(5/20 * * * ? *)').minutes).toEqual([5, 25, 45]);
    expect(cron('cron(10-50/20 * * * ? *)').minutes).toEqual([10, 30, 50]);
    expect(cron('cron(0 8-11,14,16-17 * * ? *)').hours).toEqual([8, 9, 10, 11, 14, 16, 17]);
    expect(cron('cron(0 0 1,15,L * ? *)').dayOfMonth).toEqual({ days: [1, 15], last: true, lastWeekday: false, nearestWeekday: [] });
    expect(cron('cron(0 0 ? 1/3 MON *)').months).toEqual([1, 4, 7, 10]);
    expect(cron('cron(0 0 ? * * 2024-2030/2)').years).toEqual([2024, 2026, 2028, 2030]);
    expect(cron('cron(0 0 ? * * 2025)').years).toEqual([2025]);
  });

  it('lets cyclic ranges wrap around (FRI-MON, 22-2, NOV-FEB)', () => {
    expect(cron('cron(0 0 ? * FRI-MON *)').dayOfWeek?.days).toEqual([1, 2, 6, 7]);
    expect(cron('cron(0 22-2 * * ? *)').hours).toEqual([0, 1, 2, 22, 23]);
    expect(cron('cron(0 0 1 NOV-FEB ? *)').months).toEqual([1, 2, 11, 12]);
  });

  it('reads month and day names in any case', () => {
    expect(cron('cron(0 0 1 jan-Mar ? *)').months).toEqual([1, 2, 3]);
    expect(cron('cron(0 0 ? DEC mon-fri *)')).toMatchObject({ months: [12], dayOfWeek: { days: [2, 3, 4, 5, 6] } });
    expect(cron('cron(0 0 ? * sun,SAT *)').dayOfWeek?.days).toEqual([1, 7]);
    expect(cron('cron(0 0 ? * 1,7 *)').dayOfWeek?.days).toEqual([1, 7]);
  });

  it('reads L, LW and nW in Day-of-month', () => {
    expect(cron('cron(0 0 L * ? *)').dayOfMonth).toMatchObject({ days: [], last: true, lastWeekday: false });
    expect(cron('cron(0 0 LW * ? *)').dayOfMonth).toMatchObject({ days: [], last: false, lastWeekday: true });
    expect(cron('cron(0 0 15W * ? *)').dayOfMonth).toMatchObject({ nearestWeekday: [15] });
    expect(cron('cron(0 0 1w,31W * ? *)').dayOfMonth).toMatchObject({ nearestWeekday: [1, 31] });
  });

  it('reads L, nL and n#k in Day-of-week', () => {
    expect(cron('cron(0 0 ? * L *)').dayOfWeek).toEqual({ days: [7], last: [], nth: [] });
    expect(cron('cron(0 0 ? * 6L *)').dayOfWeek).toEqual({ days: [], last: [6], nth: [] });
    expect(cron('cron(0 0 ? * FRIL *)').dayOfWeek).toEqual({ days: [], last: [6], nth: [] });
    expect(cron('cron(0 0 ? * 6#3 *)').dayOfWeek).toEqual({ days: [], last: [], nth: [{ weekday: 6, n: 3 }] });
    expect(cron('cron(0 0 ? * tue#3,TUE#1 *)').dayOfWeek?.nth).toEqual([
      { weekday: 3, n: 1 },
      { weekday: 3, n: 3 },
    ]);
  });

  it('tolerates surrounding and repeated blanks', () => {
    expect(cron('  cron(  0   10  *  * ?   * )  ')).toMatchObject({ minutes: [0], hours: [10] });
  });

  it('returns a fresh object each time (callers may keep it)', () => {
    expect(parseSchedule('cron(0 0 * * ? *)')).not.toBe(parseSchedule('cron(0 0 * * ? *)'));
  });
});

describe('parseSchedule: cron errors', () => {
  it('rejects a wrong field count', () => {
    expectInvalid('cron(0 10 * * ?)', /6 fields.*found 5/);
    expectInvalid('cron(0 0 10 * * ? * *)', /found 8/);
    expectInvalid('cron()', /found 0/);
  });

  it('accepts only a literal 0-59 Seconds field', () => {
    expectInvalid('cron(* 0 10 * * ? *)', /Seconds field must be a single number 0-59/);
    expectInvalid('cron(0/5 0 10 * * ? *)', /Seconds/);
    expectInvalid('cron(0,30 0 10 * * ? *)', /Seconds/);
    expectInvalid('cron(60 0 10 * * ? *)', /Seconds/);
  });

  it('requires "?" in exactly one of Day-of-month and Day-of-week', () => {
    expectInvalid('cron(0 10 * * * *)', /one of Day-of-month and Day-of-week must be "\?"/);
    expectInvalid('cron(0 10 1 * MON *)', /must be "\?"/);
    expectInvalid('cron(0 10 ? * ? *)', /cannot both be "\?"/);
  });

  it('rejects "?" elsewhere or inside a list', () => {
    expectInvalid('cron(? 10 * * ? *)', /only allowed in Day-of-month or Day-of-week/);
    expectInvalid('cron(0 10 ?,1 * ? *)', /must be the whole field/);
  });

  it.each([
    ['cron(60 10 * * ? *)', /Minutes value 60 .* out of range 0-59/],
    ['cron(0 24 * * ? *)', /Hours value 24 .* out of range 0-23/],
    ['cron(0 0 0 * ? *)', /Day-of-month value 0 .* out of range 1-31/],
    ['cron(0 0 32 * ? *)', /Day-of-month value 32/],
    ['cron(0 0 1 13 ? *)', /Month value 13 .* out of range 1-12/],
    ['cron(0 0 1 0 ? *)', /Month value 0/],
    ['cron(0 0 ? * 0 *)', /Day-of-week value 0 .* out of range 1-7/],
    ['cron(0 0 ? * 8 *)', /Day-of-week value 8/],
    ['cron(0 0 1 * ? 1969)', /Year value 1969 .* out of range 1970-2199/],
    ['cron(0 0 1 * ? 2200)', /Year value 2200/],
    ['cron(0 0 32W * ? *)', /Day-of-month value 32/],
    ['cron(0 0 ? * 8L *)', /Day-of-week value 8/],
    ['cron(0 0 ? * 6#6 *)', /occurrence after # must be 1-5/],
    ['cron(0 0 ? * 6#0 *)', /occurrence after # must be 1-5/],
    ['cron(0 0 ? * 9#2 *)', /Day-of-week value 9/],
  ])('rejects an out-of-range value: %s', (expression, message) => {
    expectInvalid(expression, message);
  });

  it.each([
    ['cron(0 L * * ? *)', /only allowed in Day-of-month and Day-of-week/],
    ['cron(0 0 1 * ? 2024#2)', /only allowed in Day-of-month and Day-of-week/],
    ['cron(0 0 ? * 15W *)', /W belongs in Day-of-month/],
    ['cron(0 0 6#3 * ? *)', /# belongs in Day-of-week/],
    ['cron(0 0 W * ? *)', /Day-of-month field is not valid/],
    ['cron(0 0 L-3 * ? *)', /Day-of-month field is not valid/],
    ['cron(0 0 1 L ? *)', /not a valid value/],
  ])('rejects L, W or # where they do not belong: %s', (expression, message) => {
    expectInvalid(expression, message);
  });

  it.each([
    ['cron(0/0 * * * ? *)', /increment .* must be a whole number 1-60/],
    ['cron(*/61 * * * ? *)', /increment/],
    ['cron(0/x * * * ? *)', /increment/],
    ['cron(0/5/5 * * * ? *)', /more than one "\/"/],
    ['cron(1--2 * * * ? *)', /not a valid range/],
    ['cron(5- * * * ? *)', /not a valid range/],
    ['cron(1,,2 * * * ? *)', /empty list item/],
    ['cron(abc * * * ? *)', /"abc" .* not a valid value/],
    ['cron(0 0 1 * ? 2030-2024)', /ends before it starts/],
    ['cron(0 0 ? * FUNDAY *)', /not a valid value \(expected 1-7 or SUN-SAT\)/],
    ['cron(0 0 1 JANUARY ? *)', /expected 1-12 or JAN-DEC/],
    ['cron(-1 0 * * ? *)', /not a valid range/],
    ['cron(1.5 0 * * ? *)', /not a valid value/],
  ])('rejects malformed items: %s', (expression, message) => {
    expectInvalid(expression, message);
  });

  it('rejects anything that is not cron(), rate() or at()', () => {
    expectInvalid('every(1 hour)', /expected cron\(\.\.\.\), rate\(\.\.\.\) or at\(\.\.\.\)/);
    expectInvalid('0 10 * * ? *', /expected cron/);
    expectInvalid('cron(0 10 * * ? *', /expected cron/);
    expectInvalid('', /expected cron/);
  });
});

describe('parseSchedule: rate', () => {
  it.each([
    ['rate(1 hour)', 1, 'hour'],
    ['rate(2 hours)', 2, 'hour'],
    ['rate(1 day)', 1, 'day'],
    ['rate(7 days)', 7, 'day'],
    ['rate(30 minutes)', 30, 'minute'],
    ['rate(90 minutes)', 90, 'minute'],
    ['rate( 12   hours )', 12, 'hour'],
  ])('%s', (expression, value, unit) => {
    expect(parseSchedule(expression)).toEqual({ kind: 'rate', expression: expression.trim(), value, unit });
  });

  it('wants the singular with 1 and the plural otherwise', () => {
    expectInvalid('rate(1 hours)', /singular: rate\(1 hour\)/);
    expectInvalid('rate(1 days)', /singular: rate\(1 day\)/);
    expectInvalid('rate(2 hour)', /plural: rate\(2 hours\)/);
    expectInvalid('rate(7 day)', /plural: rate\(7 days\)/);
  });

  it('keeps a maintenance window to every 30 minutes at the most', () => {
    expectInvalid('rate(1 minute)', /more often than every 30 minutes/);
    expectInvalid('rate(29 minutes)', /more often than every 30 minutes/);
  });

  it('rejects bad values and units', () => {
    expectInvalid('rate(0 hours)', /positive whole number/);
    expectInvalid('rate(-1 hours)', /positive whole number/);
    expectInvalid('rate(1.5 hours)', /positive whole number/);
    expectInvalid('rate(two hours)', /positive whole number/);
    expectInvalid('rate(2 weeks)', /unit "weeks" must be minute\(s\), hour\(s\) or day\(s\)/);
    expectInvalid('rate(2 seconds)', /must be minute\(s\), hour\(s\) or day\(s\)/);
    expectInvalid('rate(hours)', /rate\(value unit\)/);
    expectInvalid('rate(1hour)', /rate\(value unit\)/);
    expectInvalid('rate()', /rate\(value unit\)/);
    expectInvalid('rate(99999999999999 days)', /too long/);
  });
});

describe('parseSchedule: at', () => {
  it('reads a local date-time', () => {
    expect(parseSchedule('at(2025-07-07T15:55:00)')).toEqual({
      kind: 'at',
      expression: 'at(2025-07-07T15:55:00)',
      year: 2025,
      month: 7,
      day: 7,
      hour: 15,
      minute: 55,
      second: 0,
    });
    expect(parseSchedule('at(2024-02-29T23:59:59)')).toMatchObject({ month: 2, day: 29, second: 59 });
  });

  it.each([
    ['at(2023-02-29T00:00:00)', /2023-02 has no day 29/],
    ['at(2024-04-31T00:00:00)', /has no day 31/],
    ['at(2024-13-01T00:00:00)', /month 13 is out of range/],
    ['at(2024-01-01T24:00:00)', /not a valid time of day/],
    ['at(2024-01-01T10:60:00)', /not a valid time of day/],
    ['at(2024-01-01 10:00:00)', /at\(yyyy-mm-ddThh:mm:ss\)/],
    ['at(2024-01-01T10:00)', /at\(yyyy-mm-ddThh:mm:ss\)/],
    ['at(2024-01-01T10:00:00Z)', /at\(yyyy-mm-ddThh:mm:ss\)/],
    ['at(1969-12-31T00:00:00)', /year must be 1970-2199/],
    ['at()', /at\(yyyy-mm-ddThh:mm:ss\)/],
  ])('rejects %s', (expression, message) => {
    expectInvalid(expression, message);
  });
});

describe('isValidTimeZone', () => {
  it.each(['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Etc/GMT+5'])('knows %s', (zone) => {
    expect(isValidTimeZone(zone)).toBe(true);
  });

  it.each(['', 'Mars/Olympus_Mons', 'Europe/Pariss', '+01:00', '-05:00', 'UTC+1'])('rejects %j', (zone) => {
    expect(isValidTimeZone(zone)).toBe(false);
  });
});

describe('parseScheduleDate', () => {
  it('reads ISO-8601 with Z or an offset', () => {
    expect(parseScheduleDate('2021-04-07T14:29:00-08:00').toISOString()).toBe('2021-04-07T22:29:00.000Z');
    expect(parseScheduleDate('2021-04-07T14:29:00+05:30').toISOString()).toBe('2021-04-07T08:59:00.000Z');
    expect(parseScheduleDate('2021-04-07T14:29:00+0100').toISOString()).toBe('2021-04-07T13:29:00.000Z');
    expect(parseScheduleDate('2021-04-07T14:29:00.250Z').toISOString()).toBe('2021-04-07T14:29:00.250Z');
  });

  it('reads a value without an offset, or a bare date, as UTC', () => {
    expect(parseScheduleDate('2021-04-07T14:29:00').toISOString()).toBe('2021-04-07T14:29:00.000Z');
    expect(parseScheduleDate('2021-04-07').toISOString()).toBe('2021-04-07T00:00:00.000Z');
  });

  it('rejects what is not a timestamp', () => {
    for (const bad of ['tomorrow', '2021-02-30T00:00:00Z', '2021-04-07T25:00:00Z', '2021-04-07T10:00:00+25:00', '']) {
      expect(() => parseScheduleDate(bad, 'StartDate')).toThrow(/Invalid StartDate/);
    }
  });
});

// -------------------------------------------------------------------------------------------------
describe('nextRunTime: cron in UTC', () => {
  it('returns the first run strictly after the given instant', () => {
    expect(next('cron(0 10 * * ? *)', '2024-05-01T09:59:59Z')).toBe('2024-05-01T10:00:00.000Z');
    expect(next('cron(0 10 * * ? *)', '2024-05-01T10:00:00Z')).toBe('2024-05-02T10:00:00.000Z');
    expect(next('cron(0 10 * * ? *)', '2024-05-01T10:00:00.001Z')).toBe('2024-05-02T10:00:00.000Z');
    expect(next('cron(0 10 * * ? *)', '2024-05-01T09:59:59.999Z')).toBe('2024-05-01T10:00:00.000Z');
  });

  it('defaults to UTC without a time zone', () => {
    expect(next('cron(0 10 * * ? *)', '2024-07-01T00:00:00Z', { timeZone: undefined })).toBe('2024-07-01T10:00:00.000Z');
  });

  it('runs at the given second in the 7-field form', () => {
    expect(runs('cron(45 0 12 * * ? *)', '2024-05-01T12:00:44Z', 2)).toEqual(['2024-05-01T12:00:45.000Z', '2024-05-02T12:00:45.000Z']);
    expect(next('cron(45 0 12 * * ? *)', '2024-05-01T12:00:45Z')).toBe('2024-05-02T12:00:45.000Z');
    expect(next('cron(10 */30 * * * ? *)', '2024-05-01T12:00:11Z')).toBe('2024-05-01T12:30:10.000Z');
  });

  it('follows increments across the hour and the day', () => {
    expect(runs('cron(0/20 * * * ? *)', '2024-05-01T23:30:00Z', 4)).toEqual([
      '2024-05-01T23:40:00.000Z',
      '2024-05-02T00:00:00.000Z',
      '2024-05-02T00:20:00.000Z',
      '2024-05-02T00:40:00.000Z',
    ]);
  });

  it('weekdays only, from the docs: 18:00 Monday-Friday', () => {
    // 2024-05-03 is a Friday.
    expect(runs('cron(0 18 ? * MON-FRI *)', '2024-05-03T18:00:00Z', 2)).toEqual(['2024-05-06T18:00:00.000Z', '2024-05-07T18:00:00.000Z']);
  });

  it('rolls over months and years', () => {
    expect(next('cron(0 0 1 1 ? *)', '2024-12-31T23:59:59Z')).toBe('2025-01-01T00:00:00.000Z');
    expect(runs('cron(0 0 1 JAN,JUL ? *)', '2024-02-01T00:00:00Z', 3)).toEqual([
      '2024-07-01T00:00:00.000Z',
      '2025-01-01T00:00:00.000Z',
      '2025-07-01T00:00:00.000Z',
    ]);
  });

  it('skips months that lack the day', () => {
    expect(runs('cron(0 0 31 * ? *)', '2024-01-31T00:00:00Z', 3)).toEqual([
      '2024-03-31T00:00:00.000Z',
      '2024-05-31T00:00:00.000Z',
      '2024-07-31T00:00:00.000Z',
    ]);
  });

  it('honours the Year field and ends after it', () => {
    expect(next('cron(0 0 1 1 ? 2030)', '2024-06-01T00:00:00Z')).toBe('2030-01-01T00:00:00.000Z');
    expect(next('cron(0 0 1 1 ? 2030)', '2030-01-01T00:00:00Z')).toBeUndefined();
    expect(next('cron(0 0 1 1 ? 2020-2022)', '2024-06-01T00:00:00Z')).toBeUndefined();
    expect(next('cron(0 0 31 12 ? *)', '2199-12-31T00:00:00Z')).toBeUndefined();
  });

  it('finds nothing for a date that never exists, without hanging', () => {
    const started = performance.now();
    expect(next('cron(0 0 30 2 ? *)', '2024-01-01T00:00:00Z')).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('nextRunTime: leap years', () => {
  it('finds February 29 only in leap years, and 2100 is not one', () => {
    expect(next('cron(0 0 29 2 ? *)', '2024-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(next('cron(0 0 29 2 ? *)', '2096-03-01T00:00:00Z')).toBe('2104-02-29T00:00:00.000Z');
  });
});

describe('nextRunTime: L, W and #', () => {
  const from = '2023-12-31T12:00:00Z';

  it('L in Day-of-month is the last day of each month, leap or not', () => {
    expect(runs('cron(0 3 L * ? *)', from, 4)).toEqual([
      '2024-01-31T03:00:00.000Z',
      '2024-02-29T03:00:00.000Z',
      '2024-03-31T03:00:00.000Z',
      '2024-04-30T03:00:00.000Z',
    ]);
    expect(next('cron(0 3 L 2 ? *)', '2023-01-01T00:00:00Z')).toBe('2023-02-28T03:00:00.000Z');
    expect(next('cron(0 3 L 2 ? *)', '2023-03-01T00:00:00Z')).toBe('2024-02-29T03:00:00.000Z');
  });

  it('nW is the nearest weekday within the month', () => {
    // 2024-01-15 is a Monday (itself), 2024-06-15 a Saturday (→ Friday 14),
    // 2024-09-15 a Sunday (→ Monday 16).
    expect(next('cron(0 9 15W 1 ? *)', from)).toBe('2024-01-15T09:00:00.000Z');
    expect(next('cron(0 9 15W 6 ? *)', from)).toBe('2024-06-14T09:00:00.000Z');
    expect(next('cron(0 9 15W 9 ? *)', from)).toBe('2024-09-16T09:00:00.000Z');
  });

  it('nW does not leave the month at either end', () => {
    // 2024-06-01 is a Saturday: not Friday May 31 but Monday June 3.
    expect(next('cron(0 9 1W 6 ? *)', from)).toBe('2024-06-03T09:00:00.000Z');
    // 2024-09-01 is a Sunday: Monday September 2.
    expect(next('cron(0 9 1W 9 ? *)', from)).toBe('2024-09-02T09:00:00.000Z');
    // 2024-03-31 is a Sunday: not Monday April 1 but Friday March 29.
    expect(next('cron(0 9 31W 3 ? *)', from)).toBe('2024-03-29T09:00:00.000Z');
    // 2024-08-31 is a Saturday: Friday August 30.
    expect(next('cron(0 9 31W 8 ? *)', from)).toBe('2024-08-30T09:00:00.000Z');
  });

  it('nW never runs in a month without day n', () => {
    // April, June, September and November have no 31st; February neither.
    expect(runs('cron(0 9 31W * ? *)', '2024-04-01T00:00:00Z', 2)).toEqual(['2024-05-31T09:00:00.000Z', '2024-07-31T09:00:00.000Z']);
    expect(next('cron(0 9 30W 2 ? *)', from)).toBeUndefined();
  });

  it('LW is the last weekday of the month', () => {
    // Feb 29 2024 Thursday; Mar 31 2024 Sunday → Fri 29; Jun 30 Sunday → Fri 28; Aug 31 Saturday → Fri 30.
    expect(next('cron(0 9 LW 2 ? *)', from)).toBe('2024-02-29T09:00:00.000Z');
    expect(next('cron(0 9 LW 3 ? *)', from)).toBe('2024-03-29T09:00:00.000Z');
    expect(next('cron(0 9 LW 6 ? *)', from)).toBe('2024-06-28T09:00:00.000Z');
    expect(next('cron(0 9 LW 8 ? *)', from)).toBe('2024-08-30T09:00:00.000Z');
  });

  it('nL in Day-of-week is the last such week day of the month', () => {
    // From the docs: 10:15 on the last Friday of every month.
    expect(runs('cron(15 10 ? * 6L *)', from, 3)).toEqual([
      '2024-01-26T10:15:00.000Z',
      '2024-02-23T10:15:00.000Z',
      '2024-03-29T10:15:00.000Z',
    ]);
    expect(runs('cron(15 10 ? * FRIL *)', from, 3)).toEqual(runs('cron(15 10 ? * 6L *)', from, 3));
  });

  it('a bare L in Day-of-week is Saturday', () => {
    expect(runs('cron(0 0 ? * L *)', from, 2)).toEqual(['2024-01-06T00:00:00.000Z', '2024-01-13T00:00:00.000Z']);
  });

  it('n#k is the k-th such week day of the month', () => {
    // Third Friday of January, February, March 2024.
    expect(runs('cron(0 2 ? * 6#3 *)', from, 3)).toEqual([
      '2024-01-19T02:00:00.000Z',
      '2024-02-16T02:00:00.000Z',
      '2024-03-15T02:00:00.000Z',
    ]);
  });

  it('#5 runs only in months that have a fifth such day', () => {
    // Months of 2024 with five Mondays: January, April, July, September, December.
    expect(runs('cron(0 2 ? * MON#5 *)', from, 6)).toEqual([
      '2024-01-29T02:00:00.000Z',
      '2024-04-29T02:00:00.000Z',
      '2024-07-29T02:00:00.000Z',
      '2024-09-30T02:00:00.000Z',
      '2024-12-30T02:00:00.000Z',
      '2025-03-31T02:00:00.000Z',
    ]);
  });

  it('combines list items: the 1st, the 15th and the last day', () => {
    expect(runs('cron(0 0 1,15,L * ? *)', '2024-02-01T00:00:00Z', 4)).toEqual([
      '2024-02-15T00:00:00.000Z',
      '2024-02-29T00:00:00.000Z',
      '2024-03-01T00:00:00.000Z',
      '2024-03-15T00:00:00.000Z',
    ]);
  });

  it('jumps decades in one step: cron(0 2 ? * SUN#5 2099) is fast and right', () => {
    const started = performance.now();
    const run = nextRunTime({ schedule: 'cron(0 2 ? * SUN#5 2099)', anchor: ANCHOR, timeZone: 'America/New_York' }, new Date('2024-01-01T00:00:00Z'));
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(50);
    // Independently: the first day of 2099 that is a Sunday and the 29th or later.
    let expected = '';
    for (let t = Date.UTC(2099, 0, 1); !expected; t += 86_400_000) {
      const d = new Date(t);
      if (d.getUTCDay() === 0 && d.getUTCDate() >= 29) expected = d.toISOString().slice(0, 10);
    }
    expect(expected).toBe('2099-03-29');
    // 02:00 in New York on that day (EDT from the second Sunday of March): 06:00 UTC.
    expect(run?.toISOString()).toBe('2099-03-29T06:00:00.000Z');
  });
});

// -------------------------------------------------------------------------------------------------
describe('nextRunTime: time zones and daylight saving', () => {
  const paris = { timeZone: 'Europe/Paris' };
  const newYork = { timeZone: 'America/New_York' };

  it('keeps the wall-clock time across a DST change', () => {
    // 09:00 on Mondays in New York: 14:00 UTC in EST, 13:00 UTC once EDT starts (2024-03-10).
    expect(runs('cron(0 9 ? * MON *)', '2024-03-01T00:00:00Z', 2, newYork)).toEqual(['2024-03-04T14:00:00.000Z', '2024-03-11T13:00:00.000Z']);
    // 10:00 daily in Paris around the October change (2024-10-27).
    expect(runs('cron(0 10 * * ? *)', '2024-10-26T00:00:00Z', 2, paris)).toEqual(['2024-10-26T08:00:00.000Z', '2024-10-27T09:00:00.000Z']);
  });

  it('Paris spring forward: 02:30 does not exist on 2024-03-31 and runs at 03:00 CEST', () => {
    expect(runs('cron(30 2 * * ? *)', '2024-03-29T12:00:00Z', 3, paris)).toEqual([
      '2024-03-30T01:30:00.000Z', // 02:30 CET
      '2024-03-31T01:00:00.000Z', // the gap ends: 03:00 CEST
      '2024-04-01T00:30:00.000Z', // 02:30 CEST
    ]);
    // 03:30 exists and is unaffected.
    expect(next('cron(30 3 * * ? *)', '2024-03-31T00:00:00Z', paris)).toBe('2024-03-31T01:30:00.000Z');
  });

  it('Paris spring forward: a quarter-hourly schedule does not run twice at the end of the gap', () => {
    const day = runs('cron(0/15 * * * ? *)', '2024-03-30T22:59:59Z', 200, paris).filter((r) => r < '2024-03-31T22:00:00.000Z');
    // The day is 23 hours long: 92 quarter hours, each run once, strictly increasing.
    expect(day).toHaveLength(92);
    expect(new Set(day).size).toBe(92);
    expect(day.slice(7, 11)).toEqual(['2024-03-31T00:45:00.000Z', '2024-03-31T01:00:00.000Z', '2024-03-31T01:15:00.000Z', '2024-03-31T01:30:00.000Z']);
  });

  it('Paris fall back: 02:30 happens twice on 2024-10-27 and runs once, at the first', () => {
    expect(runs('cron(30 2 * * ? *)', '2024-10-26T12:00:00Z', 2, paris)).toEqual([
      '2024-10-27T00:30:00.000Z', // 02:30 CEST, the first 02:30
      '2024-10-28T01:30:00.000Z', // 02:30 CET the next day; the second 02:30 (01:30Z) does not run
    ]);
    // Asked during the second 02:xx hour, the answer is the next day, not the repeat.
    expect(next('cron(30 2 * * ? *)', '2024-10-27T01:15:00Z', paris)).toBe('2024-10-28T01:30:00.000Z');
  });

  it('Paris fall back: a quarter-hourly schedule skips the repeated hour', () => {
    const day = runs('cron(0/15 * * * ? *)', '2024-10-26T21:59:59Z', 200, paris).filter((r) => r < '2024-10-27T23:00:00.000Z');
    // The day is 25 hours long but has 96 distinct wall-clock quarter hours.
    expect(day).toHaveLength(96);
    expect(day.slice(10, 13)).toEqual(['2024-10-27T00:30:00.000Z', '2024-10-27T00:45:00.000Z', '2024-10-27T02:00:00.000Z']);
  });

  it('New York spring forward (2024-03-10, 02:00 → 03:00)', () => {
    expect(runs('cron(0/30 * * * ? *)', '2024-03-10T06:00:00Z', 3, newYork)).toEqual([
      '2024-03-10T06:30:00.000Z', // 01:30 EST
      '2024-03-10T07:00:00.000Z', // 02:00 and 02:30 do not exist → 03:00 EDT, once
      '2024-03-10T07:30:00.000Z', // 03:30 EDT
    ]);
    expect(next('cron(30 2 ? * SUN *)', '2024-03-09T00:00:00Z', newYork)).toBe('2024-03-10T07:00:00.000Z');
    expect(next('cron(30 2 ? * SUN *)', '2024-03-11T00:00:00Z', newYork)).toBe('2024-03-17T06:30:00.000Z');
  });

  it('New York fall back (2024-11-03, 02:00 → 01:00)', () => {
    expect(runs('cron(0/30 * * * ? *)', '2024-11-03T05:00:00Z', 3, newYork)).toEqual([
      '2024-11-03T05:30:00.000Z', // 01:30 EDT
      '2024-11-03T07:00:00.000Z', // 02:00 EST; 01:00 and 01:30 EST already ran as EDT
      '2024-11-03T07:30:00.000Z',
    ]);
    expect(next('cron(30 1 * * ? *)', '2024-11-02T12:00:00Z', newYork)).toBe('2024-11-03T05:30:00.000Z');
    expect(next('cron(30 1 * * ? *)', '2024-11-03T05:30:00Z', newYork)).toBe('2024-11-04T06:30:00.000Z');
  });

  it('a zone that skipped a whole day (Pacific/Apia, 2011-12-30)', () => {
    // Samoa went from 2011-12-29 23:59:59 (-10) to 2011-12-31 00:00 (+14).
    expect(next('cron(0 12 30 12 ? 2011)', '2011-12-01T00:00:00Z', { timeZone: 'Pacific/Apia' })).toBe('2011-12-30T10:00:00.000Z');
  });

  it('rejects an unknown time zone', () => {
    expect(() => next('cron(0 10 * * ? *)', '2024-01-01T00:00:00Z', { timeZone: 'Mars/Olympus_Mons' })).toThrow(ServiceError);
    expect(() => next('cron(0 10 * * ? *)', '2024-01-01T00:00:00Z', { timeZone: 'Mars/Olympus_Mons' })).toThrow(/time zone "Mars\/Olympus_Mons"/);
  });

  it('rejects an invalid schedule with the parse error', () => {
    expect(() => next('cron(0 10 * * * *)', '2024-01-01T00:00:00Z')).toThrow(/must be "\?"/);
  });
});

// -------------------------------------------------------------------------------------------------
describe('nextRunTime: ScheduleOffset', () => {
  it('runs that many days after each cron date, same wall-clock time (the docs example)', () => {
    // Third Tuesday 23:30, offset 2 → Thursday 23:30. Third Tuesdays: 2024-01-16, 2024-02-20.
    expect(runs('cron(30 23 ? * TUE#3 *)', '2024-01-01T00:00:00Z', 2, { offsetDays: 2 })).toEqual([
      '2024-01-18T23:30:00.000Z',
      '2024-02-22T23:30:00.000Z',
    ]);
  });

  it('crosses month and year ends', () => {
    // Last days Dec 31, Jan 31, Feb 29 (2024 is a leap year) → Jan 3, Feb 3, Mar 3.
    expect(runs('cron(0 8 L * ? *)', '2024-01-01T00:00:00Z', 3, { offsetDays: 3 })).toEqual([
      '2024-01-03T08:00:00.000Z',
      '2024-02-03T08:00:00.000Z',
      '2024-03-03T08:00:00.000Z',
    ]);
    expect(next('cron(0 8 31 12 ? *)', '2024-06-01T00:00:00Z', { offsetDays: 6 })).toBe('2025-01-06T08:00:00.000Z');
  });

  it('finds a run whose cron date is already behind the asked instant', () => {
    // Cron date 2024-01-16 23:30, run 2024-01-18 23:30: asked on the 17th, the answer is the 18th.
    expect(next('cron(30 23 ? * TUE#3 *)', '2024-01-17T12:00:00Z', { offsetDays: 2 })).toBe('2024-01-18T23:30:00.000Z');
  });

  it('does not run in the current period when the cron date passed before the window existed', () => {
    // Created on the 17th, after the cron date of the 16th: AWS skips to the next period.
    const anchor = new Date('2024-01-17T12:00:00Z');
    expect(next('cron(30 23 ? * TUE#3 *)', '2024-01-17T12:00:00Z', { offsetDays: 2, anchor })).toBe('2024-02-22T23:30:00.000Z');
  });

  it('keeps a frequent cron frequent: daily with an offset still runs daily', () => {
    expect(runs('cron(0 6 * * ? *)', '2024-05-10T00:00:00Z', 3, { offsetDays: 2 })).toEqual([
      '2024-05-10T06:00:00.000Z',
      '2024-05-11T06:00:00.000Z',
      '2024-05-12T06:00:00.000Z',
    ]);
  });

  it('keeps the wall-clock time when the offset crosses a DST change', () => {
    // Saturday 02:30 Paris + 1 day = Sunday 02:30: on 2024-03-31 in the gap (→ 03:00 CEST),
    // on 2024-10-27 twice (→ the first).
    const paris = { timeZone: 'Europe/Paris', offsetDays: 1 };
    expect(next('cron(30 2 ? * SAT *)', '2024-03-29T00:00:00Z', paris)).toBe('2024-03-31T01:00:00.000Z');
    expect(next('cron(30 2 ? * SAT *)', '2024-10-25T00:00:00Z', paris)).toBe('2024-10-27T00:30:00.000Z');
  });

  it('treats 0 or no offset as none', () => {
    expect(next('cron(0 8 L * ? *)', '2024-01-01T00:00:00Z', { offsetDays: 0 })).toBe('2024-01-31T08:00:00.000Z');
  });

  it('is only for cron, and only 1-6', () => {
    expect(() => next('rate(1 day)', '2024-01-01T00:00:00Z', { offsetDays: 1 })).toThrow(/only be used with a cron expression/);
    expect(() => next('at(2030-01-01T00:00:00)', '2024-01-01T00:00:00Z', { offsetDays: 1 })).toThrow(/only be used with a cron expression/);
    expect(() => next('cron(0 8 L * ? *)', '2024-01-01T00:00:00Z', { offsetDays: 7 })).toThrow(/1-6/);
    expect(() => next('cron(0 8 L * ? *)', '2024-01-01T00:00:00Z', { offsetDays: 1.5 })).toThrow(/1-6/);
    expect(() => next('cron(0 8 L * ? *)', '2024-01-01T00:00:00Z', { offsetDays: -1 })).toThrow(ServiceError);
  });
});

describe('nextRunTime: StartDate and EndDate', () => {
  it('no run before StartDate; a run exactly at StartDate counts', () => {
    const startDate = '2024-06-01T00:00:00-08:00'; // 08:00 UTC
    expect(next('cron(0 7 * * ? *)', '2024-01-01T00:00:00Z', { startDate })).toBe('2024-06-02T07:00:00.000Z');
    expect(next('cron(0 8 * * ? *)', '2024-01-01T00:00:00Z', { startDate })).toBe('2024-06-01T08:00:00.000Z');
    // Once past StartDate it has no effect.
    expect(next('cron(0 8 * * ? *)', '2024-07-01T09:00:00Z', { startDate })).toBe('2024-07-02T08:00:00.000Z');
  });

  it('no run after EndDate; a run exactly at EndDate counts', () => {
    const endDate = '2024-06-03T08:00:00Z';
    expect(runs('cron(0 8 * * ? *)', '2024-05-31T12:00:00Z', 10, { endDate })).toEqual([
      '2024-06-01T08:00:00.000Z',
      '2024-06-02T08:00:00.000Z',
      '2024-06-03T08:00:00.000Z',
    ]);
    expect(next('cron(0 8 * * ? *)', '2024-06-03T08:00:00Z', { endDate })).toBeUndefined();
  });

  it('applies both together, in the window time zone for the schedule only', () => {
    // The bounds are instants; the schedule is wall-clock in Tokyo (UTC+9).
    const bounds = { timeZone: 'Asia/Tokyo', startDate: '2024-06-01T00:00:00Z', endDate: '2024-06-04T00:00:00Z' };
    expect(runs('cron(0 0 * * ? *)', '2024-01-01T00:00:00Z', 10, bounds)).toEqual([
      '2024-06-01T15:00:00.000Z',
      '2024-06-02T15:00:00.000Z',
      '2024-06-03T15:00:00.000Z',
    ]);
  });

  it('returns nothing when EndDate is before StartDate', () => {
    expect(next('cron(0 8 * * ? *)', '2024-01-01T00:00:00Z', { startDate: '2024-06-01T00:00:00Z', endDate: '2024-05-01T00:00:00Z' })).toBeUndefined();
  });

  it('rejects a malformed bound', () => {
    expect(() => next('cron(0 8 * * ? *)', '2024-01-01T00:00:00Z', { startDate: 'soon' })).toThrow(/Invalid StartDate "soon"/);
    expect(() => next('cron(0 8 * * ? *)', '2024-01-01T00:00:00Z', { endDate: '2024-13-01T00:00:00Z' })).toThrow(/Invalid EndDate/);
  });
});

// -------------------------------------------------------------------------------------------------
describe('nextRunTime: rate', () => {
  const anchor = new Date('2024-05-01T10:17:30Z');

  it('runs at anchor + k × interval', () => {
    expect(runs('rate(2 hours)', '2024-05-01T10:17:30Z', 3, { anchor })).toEqual([
      '2024-05-01T12:17:30.000Z',
      '2024-05-01T14:17:30.000Z',
      '2024-05-01T16:17:30.000Z',
    ]);
    expect(next('rate(2 hours)', '2024-05-01T13:00:00Z', { anchor })).toBe('2024-05-01T14:17:30.000Z');
    expect(next('rate(2 hours)', '2024-05-01T14:17:30Z', { anchor })).toBe('2024-05-01T16:17:30.000Z');
    expect(next('rate(30 minutes)', '2024-05-01T10:50:00Z', { anchor })).toBe('2024-05-01T11:17:30.000Z');
    expect(next('rate(7 days)', '2024-05-02T00:00:00Z', { anchor })).toBe('2024-05-08T10:17:30.000Z');
  });

  it('runs at the anchor itself when asked from before it', () => {
    expect(next('rate(1 day)', '2024-04-01T00:00:00Z', { anchor })).toBe('2024-05-01T10:17:30.000Z');
  });

  it('starts at StartDate when that is the anchor', () => {
    const startDate = '2024-06-01T06:00:00Z';
    expect(runs('rate(12 hours)', '2024-05-01T00:00:00Z', 2, { startDate, anchor: new Date(startDate) })).toEqual([
      '2024-06-01T06:00:00.000Z',
      '2024-06-01T18:00:00.000Z',
    ]);
  });

  it('keeps the anchor phase when StartDate is later than the anchor', () => {
    expect(next('rate(2 hours)', '2024-05-01T00:00:00Z', { anchor, startDate: '2024-05-02T00:00:00Z' })).toBe('2024-05-02T00:17:30.000Z');
  });

  it('is elapsed time: rate(1 day) stays 24 hours apart across a DST change', () => {
    const a = new Date('2024-03-30T10:00:00Z');
    expect(runs('rate(1 day)', '2024-03-30T10:00:00Z', 2, { anchor: a, timeZone: 'Europe/Paris' })).toEqual([
      '2024-03-31T10:00:00.000Z',
      '2024-04-01T10:00:00.000Z',
    ]);
  });

  it('stops at EndDate', () => {
    expect(runs('rate(1 day)', '2024-05-01T10:17:30Z', 10, { anchor, endDate: '2024-05-04T00:00:00Z' })).toEqual([
      '2024-05-02T10:17:30.000Z',
      '2024-05-03T10:17:30.000Z',
    ]);
  });

  it('computes a far-future run directly', () => {
    expect(next('rate(1 hour)', '2150-01-01T00:30:00Z', { anchor: new Date('2024-01-01T00:00:00Z') })).toBe('2150-01-01T01:00:00.000Z');
  });
});

describe('nextRunTime: at', () => {
  it('runs once at the wall-clock time in the window time zone', () => {
    expect(next('at(2025-07-04T09:00:00)', '2025-01-01T00:00:00Z', { timeZone: 'America/New_York' })).toBe('2025-07-04T13:00:00.000Z');
    expect(next('at(2025-07-04T09:00:00)', '2025-01-01T00:00:00Z')).toBe('2025-07-04T09:00:00.000Z');
    expect(runs('at(2025-07-04T09:00:00)', '2025-01-01T00:00:00Z', 5)).toEqual(['2025-07-04T09:00:00.000Z']);
  });

  it('returns nothing once the time has come or passed', () => {
    expect(next('at(2025-07-04T09:00:00)', '2025-07-04T09:00:00Z')).toBeUndefined();
    expect(next('at(2025-07-04T09:00:00)', '2026-01-01T00:00:00Z')).toBeUndefined();
  });

  it('uses the DST rules: a gap time runs when the gap ends, a repeated time at its first occurrence', () => {
    const paris = { timeZone: 'Europe/Paris' };
    expect(next('at(2024-03-31T02:30:00)', '2024-01-01T00:00:00Z', paris)).toBe('2024-03-31T01:00:00.000Z');
    expect(next('at(2024-10-27T02:30:00)', '2024-01-01T00:00:00Z', paris)).toBe('2024-10-27T00:30:00.000Z');
  });

  it('respects StartDate and EndDate', () => {
    expect(next('at(2025-07-04T09:00:00)', '2025-01-01T00:00:00Z', { startDate: '2025-08-01T00:00:00Z' })).toBeUndefined();
    expect(next('at(2025-07-04T09:00:00)', '2025-01-01T00:00:00Z', { endDate: '2025-07-01T00:00:00Z' })).toBeUndefined();
    expect(next('at(2025-07-04T09:00:00)', '2025-01-01T00:00:00Z', { startDate: '2025-07-04T09:00:00Z' })).toBe('2025-07-04T09:00:00.000Z');
  });
});

// -------------------------------------------------------------------------------------------------
describe('upcomingRunTimes', () => {
  it('returns exactly `count` runs when there are that many, ascending and strictly after', () => {
    const list = upcomingRunTimes({ schedule: 'cron(0 */6 * * ? *)', anchor: ANCHOR }, new Date('2024-05-01T06:00:00Z'), 5);
    expect(list.map((d) => d.toISOString())).toEqual([
      '2024-05-01T12:00:00.000Z',
      '2024-05-01T18:00:00.000Z',
      '2024-05-02T00:00:00.000Z',
      '2024-05-02T06:00:00.000Z',
      '2024-05-02T12:00:00.000Z',
    ]);
  });

  it('returns fewer when the schedule ends', () => {
    expect(runs('cron(0 0 1 1 ? 2030-2032)', '2024-01-01T00:00:00Z', 10)).toHaveLength(3);
  });

  it('returns none for a count of 0 or less', () => {
    expect(runs('cron(0 0 * * ? *)', '2024-01-01T00:00:00Z', 0)).toEqual([]);
    expect(runs('cron(0 0 * * ? *)', '2024-01-01T00:00:00Z', -3)).toEqual([]);
  });

  it('agrees with repeated nextRunTime calls', () => {
    const window: WindowSchedule = { schedule: 'cron(15 3 ? * MON,THU *)', timeZone: 'America/New_York', anchor: ANCHOR };
    const list = upcomingRunTimes(window, new Date('2024-03-01T00:00:00Z'), 8);
    let cursor = new Date('2024-03-01T00:00:00Z');
    for (const run of list) {
      const expected = nextRunTime(window, cursor)!;
      expect(run.toISOString()).toBe(expected.toISOString());
      cursor = expected;
    }
  });

  it('lists a hundred hourly runs quickly', () => {
    const started = performance.now();
    const list = upcomingRunTimes({ schedule: 'cron(0 * * * ? *)', timeZone: 'Europe/Paris', anchor: ANCHOR }, new Date('2024-03-30T00:00:00Z'), 100);
    expect(list).toHaveLength(100);
    for (let i = 1; i < list.length; i++) expect(list[i]!.getTime()).toBeGreaterThan(list[i - 1]!.getTime());
    expect(performance.now() - started).toBeLessThan(500);
  });
});

// -------------------------------------------------------------------------------------------------
describe('nextRunTime agrees with a brute-force day-by-day search (UTC)', () => {
  // A deliberately naive reference: walk the calendar one day at a time and decide each day's
  // L / W / # rule from first principles (counting, scanning), not with the module's arithmetic.
  const isWeekday = (t: number): boolean => ![0, 6].includes(new Date(t).getUTCDay());
  function dayMatches(c: Extract<ParsedSchedule, { kind: 'cron' }>, y: number, m: number, d: number): boolean {
    const dim = new Date(Date.UTC(y, m, 0)).getUTCDate();
    const t = Date.UTC(y, m - 1, d);
    const wd = new Date(t).getUTCDay() + 1;
    const dom = c.dayOfMonth;
    if (dom) {
      if (dom.days.includes(d) || (dom.last && d === dim)) return true;
      if (dom.lastWeekday) {
        let last = dim;
        while (!isWeekday(Date.UTC(y, m - 1, last))) last--;
        if (last === d) return true;
      }
      for (const n of dom.nearestWeekday) {
        if (n > dim) continue;
        // The weekday of this month closest to n (the earlier one on a tie).
        let best = -1;
        for (let k = 1; k <= dim; k++) {
          if (isWeekday(Date.UTC(y, m - 1, k)) && (best < 0 || Math.abs(k - n) < Math.abs(best - n))) best = k;
        }
        if (best === d) return true;
      }
      return false;
    }
    const dow = c.dayOfWeek!;
    if (dow.days.includes(wd)) return true;
    let before = 0;
    for (let k = 1; k < d; k++) if (new Date(Date.UTC(y, m - 1, k)).getUTCDay() + 1 === wd) before++;
    let afterCount = 0;
    for (let k = d + 1; k <= dim; k++) if (new Date(Date.UTC(y, m - 1, k)).getUTCDay() + 1 === wd) afterCount++;
    if (dow.last.includes(wd) && afterCount === 0) return true;
    return dow.nth.some((x) => x.weekday === wd && x.n === before + 1);
  }
  function bruteNext(expression: string, after: number): number | undefined {
    const c = cron(expression);
    const start = new Date(after);
    for (let day = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()); day < after + 800 * 86_400_000; day += 86_400_000) {
      const dt = new Date(day);
      const [y, m, d] = [dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate()];
      if (!c.years.includes(y) || !c.months.includes(m) || !dayMatches(c, y, m, d)) continue;
      for (const h of c.hours) {
        for (const mi of c.minutes) {
          const t = Date.UTC(y, m - 1, d, h, mi, c.second);
          if (t > after) return t;
        }
      }
    }
    return undefined;
  }

  const expressions = [
    'cron(0 10 * * ? *)',
    'cron(7,37 */5 ? * MON-FRI *)',
    'cron(30 23 ? * TUE#3 *)',
    'cron(0 2 ? * SUN#5 *)',
    'cron(15 10 ? * 6L,2#1 *)',
    'cron(0 9 15W,1W * ? *)',
    'cron(0 9 30W,LW * ? *)',
    'cron(0 0 L,29 FEB,MAR ? *)',
    'cron(20 30 4 31 */2 ? *)',
    'cron(0 22-2/2 ? DEC-FEB SAT-SUN *)',
    'cron(45 12 1-7 * ? 2025,2027)',
  ];

  // A small deterministic generator, so a failure reproduces.
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };

  it.each(expressions)('%s', (expression) => {
    for (let i = 0; i < 25; i++) {
      const after = Date.UTC(2024, 0, 1) + Math.floor(random() * 3 * 365 * 86_400) * 1000;
      const expected = bruteNext(expression, after);
      const actual = nextRunTime({ schedule: expression, anchor: ANCHOR }, new Date(after))?.getTime();
      expect(actual === undefined ? undefined : new Date(actual).toISOString(), `after ${new Date(after).toISOString()}`).toBe(
        expected === undefined ? undefined : new Date(expected).toISOString(),
      );
    }
  });
});
