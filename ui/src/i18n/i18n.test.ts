import { describe, expect, it } from 'vitest';
import { ru } from './ru';
import { kk } from './kk';
import { format, formatNumber, translate } from './index.svelte';
import { BOOKING_CHANNELS, CONDITIONS, ERROR_CODES, MESSAGE_CODES, RISK_LEVELS } from '../lib/bindings';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)(?::[^}]*)?\}/g)].map((m) => m[1]).sort();

describe('catalogs', () => {
  it('have the same keys in Kazakh and Russian', () => {
    expect(Object.keys(kk).sort()).toEqual(Object.keys(ru).sort());
  });

  it('have no empty strings and the same placeholders in both languages', () => {
    for (const key of Object.keys(ru) as (keyof typeof ru)[]) {
      expect(ru[key].trim(), key).not.toBe('');
      expect(kk[key].trim(), key).not.toBe('');
      expect(placeholders(kk[key]), key).toEqual(placeholders(ru[key]));
    }
  });

  it('translate every error code a command can carry', () => {
    // ERROR_CODES is generated from the Rust error types (src-tauri/src/bindings.rs):
    // a code with no message would show "unexpected error"
    const keys = new Set(Object.keys(ru));
    const missing = ERROR_CODES.filter((code) => !keys.has(code));
    expect(missing).toEqual([]);
  });

  it('translate every other code the core sends: problems, refusals, reasons, statuses', () => {
    const keys = new Set(Object.keys(ru));
    const missing = MESSAGE_CODES.filter((code) => !keys.has(code));
    expect(missing).toEqual([]);
    // the lists are the Rust enums' whole, not a sample
    expect(MESSAGE_CODES).toContain('identifier.wrong_check_digit');
    expect(MESSAGE_CODES).toContain('reason.dental_services');
    expect(MESSAGE_CODES.length).toBeGreaterThan(100);
  });

  it('translate every value the forms offer', () => {
    const keys = new Set(Object.keys(ru));
    const lists: [string, readonly string[]][] = [
      ['booking_channel', BOOKING_CHANNELS], ['risk', RISK_LEVELS], ['condition', CONDITIONS],
    ];
    for (const [prefix, values] of lists) {
      for (const value of values) expect(keys.has(`${prefix}.${value}`), `${prefix}.${value}`).toBe(true);
    }
  });
});

describe('format', () => {
  it('fills placeholders and keeps unknown ones visible', () => {
    expect(format('{length} цифр, а в ИИН их 12', { length: 13 })).toBe('13 цифр, а в ИИН их 12');
    expect(format('{missing}', {})).toBe('{missing}');
  });

  it('says what is wrong with an IIN in the chosen language', () => {
    expect(translate('ru', 'identifier.wrong_check_digit', { expected: 8 })).toContain('должна быть 8');
    expect(translate('kk', 'identifier.wrong_check_digit', { expected: 8 })).toContain('8 болуы керек');
  });
});

describe('numbers and plurals', () => {
  it('group thousands from five digits on, and leave a year whole', () => {
    expect(formatNumber(18307)).toBe('18\u00a0307');
    expect(formatNumber(1190000)).toBe('1\u00a0190\u00a0000');
    expect(formatNumber(2026)).toBe('2026');
    expect(formatNumber(37.5)).toBe('37,5');
    expect(translate('ru', 'register_screen.total', { n: 18307 })).toBe('Найдено: 18\u00a0307');
    expect(translate('ru', 'settings.campaign', { year: 2026 })).toBe('Кампания прикрепления 2026');
  });

  it('give an age the form its count takes in Russian, and the one Kazakh form', () => {
    const cases: [number, string][] = [[1, '1 год'], [3, '3 года'], [5, '5 лет'], [11, '11 лет'], [21, '21 год'],
      [22, '22 года'], [61, '61 год'], [65, '65 лет'], [112, '112 лет']];
    for (const [n, expected] of cases) expect(translate('ru', 'card.years', { n }), String(n)).toBe(expected);
    expect(translate('kk', 'card.years', { n: 61 })).toBe('61 жас');
    expect(format('{n:год|года|лет}', {}, 'ru')).toBe('{n:год|года|лет}');
  });

  it('have every Russian noun after a count in the form its count takes', () => {
    // A count written before a word ("{n} жителей") reads wrong for 1, 3 or 21 unless the
    // word's three forms are given. A label ("Найдено: {n}"), a preposition or an
    // abbreviation after the count needs none.
    const counts = ['n', 'count', 'limit', 'attached', 'norm', 'days', 'weeks', 'months', 'years', 'minutes', 'stops'];
    const unchanged = ['из', 'при', 'мес.', 'и', '·', '—', '–'];
    for (const [key, text] of Object.entries(ru)) {
      for (const match of text.matchAll(/\{(\w+)\}\s+(\S+)/g)) {
        const [, name, word] = match;
        if (!counts.includes(name) || unchanged.includes(word) || !/^[а-яё]/i.test(word)) continue;
        expect.fail(`${key}: "{${name}} ${word}" needs {${name}:one|few|many}`);
      }
    }
    expect(translate('ru', 'first_run.text', { n: 20000 })).toContain('20\u00a0000 жителей');
    expect(translate('ru', 'attach.campaign', { year: 2026, first: '', last: '', limit: 2 })).toContain('2 раза в год');
    expect(translate('ru', 'attach.campaign', { year: 2026, first: '', last: '', limit: 1 })).toContain('1 раз в год');
  });
});
