// Dates as a registrar in Kazakhstan types and reads them: dd.mm.yyyy, whatever
// the OS locale. Only the reading and writing of the text is decided here; what a
// date may be for a form (a birth not in the future, a consent after today) is
// also checked by the core.

/** What a typed date text reads as. */
export type DateReading =
  | { kind: 'empty' }
  | { kind: 'date'; iso: string }
  | { kind: 'invalid'; problem: DateProblem };

/** Why a typed text is not a date (an i18n key's last part, `date.problem.*`). */
export type DateProblem = 'format' | 'two_digit_year' | 'no_such_day' | 'year_out_of_range';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The days of a month (month 1–12), leap years counted. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function checked(year: number, month: number, day: number): DateReading {
  if (year < 1800 || year > 2199) return { kind: 'invalid', problem: 'year_out_of_range' };
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return { kind: 'invalid', problem: 'no_such_day' };
  }
  return { kind: 'date', iso: `${pad(year, 4)}-${pad(month)}-${pad(day)}` };
}

/**
 * Reads a typed date: "16.03.2015", "16032015", "16.3.2015", "16/03/2015",
 * "16-03-2015", "16 03 2015" and an ISO "2015-03-16" all read as 2015-03-16.
 * A two-digit year is refused (was "15" born in 1915 or 2015?), and so is a
 * day the calendar has not (31.02).
 */
export function readDate(text: string): DateReading {
  const typed = text.trim();
  if (typed === '') return { kind: 'empty' };
  let match = /^(\d{2})(\d{2})(\d{4})$/.exec(typed);
  if (match) return checked(Number(match[3]), Number(match[2]), Number(match[1]));
  match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(typed);
  if (match) return checked(Number(match[1]), Number(match[2]), Number(match[3]));
  match = /^(\d{1,2})[.\-/ ,]+(\d{1,2})[.\-/ ,]+(\d+)\.?$/.exec(typed);
  if (match) {
    if (match[3].length !== 4) {
      return { kind: 'invalid', problem: match[3].length === 2 ? 'two_digit_year' : 'format' };
    }
    return checked(Number(match[3]), Number(match[2]), Number(match[1]));
  }
  if (/^\d{6}$/.test(typed)) return { kind: 'invalid', problem: 'two_digit_year' };
  return { kind: 'invalid', problem: 'format' };
}

/** "2015-03-16" → "16.03.2015"; an empty or missing date → "". */
export function writeDate(iso: string | null | undefined): string {
  if (!iso) return '';
  const [y, m, d] = iso.slice(0, 10).split('-');
  return `${d}.${m}.${y}`;
}

/** An ISO date moved by whole days ("2026-02-28", 1 → "2026-03-01"). */
export function addDays(iso: string, days: number): string {
  const [y, m, d] = iso.split('-').map(Number);
  const moved = new Date(Date.UTC(y, m - 1, d + days));
  return `${pad(moved.getUTCFullYear(), 4)}-${pad(moved.getUTCMonth() + 1)}-${pad(moved.getUTCDate())}`;
}

/** An ISO date moved by whole months, the day kept where the month has it (31.01 + 1 → 28.02). */
export function addMonths(iso: string, months: number): string {
  const [y, m, d] = iso.split('-').map(Number);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return `${pad(year, 4)}-${pad(month)}-${pad(Math.min(d, daysInMonth(year, month)))}`;
}

/**
 * The weeks of a month as a calendar shows them, Monday first: each week seven
 * ISO dates, the days of the neighbouring months included to fill the rows.
 */
export function monthGrid(year: number, month: number): string[][] {
  const first = `${pad(year, 4)}-${pad(month)}-01`;
  const mondayBased = (new Date(Date.UTC(year, month - 1, 1)).getUTCDay() + 6) % 7;
  let day = addDays(first, -mondayBased);
  const weeks: string[][] = [];
  do {
    const week: string[] = [];
    for (let i = 0; i < 7; i++) {
      week.push(day);
      day = addDays(day, 1);
    }
    weeks.push(week);
  } while (Number(day.slice(5, 7)) === month);
  return weeks;
}

/**
 * Reads a typed time of day as the 24-hour clock a clinic keeps: "08:00",
 * "8:00", "8.00", "0800", "800" and "8" all read as "08:00"; "24:00", "8:60"
 * and "8 pm" do not. Returns "HH:MM", or null when the text is not a time.
 * (The platform's time input follows the OS locale: 12-hour with AM/PM under
 * an English one.)
 */
export function readTime(text: string): string | null {
  const typed = text.trim();
  const match = /^(\d{1,2})(?:[:.\s]?(\d{2}))?$/.exec(typed);
  if (!match) return null;
  const hours = Number(match[1]);
  const minutes = match[2] === undefined ? 0 : Number(match[2]);
  if (hours > 23 || minutes > 59) return null;
  return `${pad(hours)}:${pad(minutes)}`;
}
