// The interface language and its catalogs. Every string the UI shows comes from here.
import { ru } from './ru';
import { kk } from './kk';

export type Key = keyof typeof ru;
export type Catalog = Record<Key, string>;
export type Language = 'kk' | 'ru';

export const catalogs: Record<Language, Catalog> = { kk, ru };
export const languages: Language[] = ['kk', 'ru'];

export const locale = $state<{ language: Language }>({ language: 'kk' });

/**
 * A number as the screens write it: from five digits on, thousands grouped by a
 * no-break space (18 307, 1 190 000); four digits stay whole, so a year reads 2026.
 */
export function formatNumber(n: number): string {
  const [whole, fraction] = String(Math.abs(n)).split('.');
  const grouped = whole.length < 5 ? whole : whole.replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
  return `${n < 0 ? '−' : ''}${grouped}${fraction ? `,${fraction}` : ''}`;
}

/** The order plural forms are written in a catalog's `{n:…|…}`, by language's plural rules. */
const PLURAL_ORDER: Record<Language, Intl.LDMLPluralRule[]> = {
  ru: ['one', 'few', 'many'],
  kk: ['other'],
};

/**
 * Fills `{name}` placeholders from `params`; numbers are written by
 * `formatNumber`. `{n:год|года|лет}` writes the number and the noun's form its
 * count takes (Russian: one, few, many — 1 год, 3 года, 65 лет, 61 год; Kazakh
 * has one form: 61 жас).
 */
export function format(template: string, params: Record<string, unknown> = {}, language: Language = 'ru'): string {
  return template.replace(/\{(\w+)(?::([^}]*))?\}/g, (whole, name: string, forms?: string) => {
    if (!(name in params)) return whole;
    const value = params[name];
    const written = typeof value === 'number' ? formatNumber(value) : String(value);
    if (forms === undefined || typeof value !== 'number') return written;
    const choices = forms.split('|');
    const rule = new Intl.PluralRules(language).select(value);
    const index = Math.max(0, PLURAL_ORDER[language].indexOf(rule));
    // a fraction takes the "few" form in Russian (1,5 года)
    const form = choices[Number.isInteger(value) ? index : Math.min(1, choices.length - 1)] ?? choices[0];
    return `${written} ${form}`;
  });
}

export function translate(language: Language, key: Key, params?: Record<string, unknown>): string {
  return format(catalogs[language][key], params, language);
}

/** The string for `key` in the current language. */
export function t(key: Key, params?: Record<string, unknown>): string {
  return translate(locale.language, key, params);
}

/**
 * The message for an error or notice code from the core, e.g. "identifier.wrong_check_digit".
 * Every code the core sends has one (the catalogs' test reads the generated lists); a code
 * from elsewhere is shown with the code itself, so it can be reported.
 */
export function messageFor(code: string, params?: Record<string, unknown>): string {
  if (code in ru) return t(code as Key, params);
  console.warn(`no message for the code ${code}`);
  return t('error.unknown_code', { code });
}

/** A clinic a refusal names, in the current language ("another organization" when not known). */
export function clinicName(clinic: { name_kk: string; name_ru: string } | null | undefined): string {
  if (!clinic) return t('appt.other_clinic_unknown');
  return locale.language === 'kk' ? clinic.name_kk : clinic.name_ru;
}
