import { describe, expect, it } from 'vitest';
import { addDays, addMonths, daysInMonth, monthGrid, readDate, readTime, writeDate } from './dates';

describe('readDate', () => {
  it('reads the ways a registrar types a date as the same day', () => {
    for (const typed of ['16.03.2015', '16032015', '16.3.2015', '16/03/2015', '16-03-2015', '16 03 2015',
      ' 16.03.2015 ', '16,03,2015', '16.03.2015.', '2015-03-16']) {
      expect(readDate(typed), typed).toEqual({ kind: 'date', iso: '2015-03-16' });
    }
  });

  it('never swaps day and month: 10.01.2026 is the 10th of January', () => {
    expect(readDate('10.01.2026')).toEqual({ kind: 'date', iso: '2026-01-10' });
    expect(readDate('01102026')).toEqual({ kind: 'date', iso: '2026-10-01' });
  });

  it('refuses days the calendar has not, leap years counted', () => {
    expect(readDate('31.02.2015')).toEqual({ kind: 'invalid', problem: 'no_such_day' });
    expect(readDate('29.02.2015')).toEqual({ kind: 'invalid', problem: 'no_such_day' });
    expect(readDate('29.02.2016')).toEqual({ kind: 'date', iso: '2016-02-29' });
    expect(readDate('16.13.2015')).toEqual({ kind: 'invalid', problem: 'no_such_day' });
    expect(readDate('00.03.2015')).toEqual({ kind: 'invalid', problem: 'no_such_day' });
    expect(readDate('31042015')).toEqual({ kind: 'invalid', problem: 'no_such_day' });
  });

  it('asks for four digits of the year rather than guess the century', () => {
    expect(readDate('16.03.15')).toEqual({ kind: 'invalid', problem: 'two_digit_year' });
    expect(readDate('160315')).toEqual({ kind: 'invalid', problem: 'two_digit_year' });
  });

  it('says what is wrong with anything else, and reads nothing as a date', () => {
    expect(readDate('')).toEqual({ kind: 'empty' });
    expect(readDate('   ')).toEqual({ kind: 'empty' });
    for (const typed of ['16.03', '1603', 'вчера', '16.03.201', '16..2015', '1.2.3.4']) {
      expect(readDate(typed).kind, typed).toBe('invalid');
    }
    expect(readDate('16.03.1066')).toEqual({ kind: 'invalid', problem: 'year_out_of_range' });
  });
});

describe('writing and moving dates', () => {
  it('writes dd.mm.yyyy', () => {
    expect(writeDate('2015-03-16')).toBe('16.03.2015');
    expect(writeDate('2026-10-01T10:30:00')).toBe('01.10.2026');
    expect(writeDate(null)).toBe('');
  });

  it('moves by days and months across ends of months and years', () => {
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2026-01-15', -1)).toBe('2025-12-15');
    expect(addMonths('2026-12-01', 1)).toBe('2027-01-01');
    expect(daysInMonth(2024, 2)).toBe(29);
  });

  it('lays a month out in weeks from Monday', () => {
    const october = monthGrid(2026, 10); // 1 October 2026 is a Thursday
    expect(october[0]).toEqual(['2026-09-28', '2026-09-29', '2026-09-30', '2026-10-01', '2026-10-02',
      '2026-10-03', '2026-10-04']);
    expect(october.at(-1)?.at(-1)).toBe('2026-11-01');
    expect(october).toHaveLength(5);
    expect(monthGrid(2026, 6)[0][0]).toBe('2026-06-01'); // a month that starts on a Monday
  });
});

describe('readTime', () => {
  it('reads the ways a time of day is typed as the 24-hour clock', () => {
    for (const typed of ['08:00', '8:00', '8.00', '0800', '800', '8', ' 8 00 ']) expect(readTime(typed)).toBe('08:00');
    expect(readTime('13:45')).toBe('13:45');
    expect(readTime('1345')).toBe('13:45');
    expect(readTime('00:00')).toBe('00:00');
  });
  it('refuses what is not a time', () => {
    for (const typed of ['', '24:00', '8:60', '8 pm', '1:2', '12345', 'утро']) expect(readTime(typed)).toBeNull();
  });
});
