import { describe, expect, it } from 'vitest';
import { ru } from './ru';
import { kk } from './kk';
import { format, translate } from './index.svelte';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

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

  it('translate every code the core can send about an IIN', () => {
    const codes = ['empty', 'not_a_digit', 'wrong_length', 'wrong_check_digit', 'no_check_digit_exists'];
    for (const code of codes) expect(Object.keys(ru)).toContain(`identifier.${code}`);
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
