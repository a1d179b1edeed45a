// The interface language and its catalogs. Every string the UI shows comes from here.
import { ru } from './ru';
import { kk } from './kk';

export type Key = keyof typeof ru;
export type Catalog = Record<Key, string>;
export type Language = 'kk' | 'ru';

export const catalogs: Record<Language, Catalog> = { kk, ru };
export const languages: Language[] = ['kk', 'ru'];

export const locale = $state<{ language: Language }>({ language: 'kk' });

/** Fills `{name}` placeholders from `params`. */
export function format(template: string, params: Record<string, unknown> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export function translate(language: Language, key: Key, params?: Record<string, unknown>): string {
  return format(catalogs[language][key], params);
}

/** The string for `key` in the current language. */
export function t(key: Key, params?: Record<string, unknown>): string {
  return translate(locale.language, key, params);
}

/** The message for an error or notice code from the core, e.g. "identifier.wrong_check_digit". */
export function messageFor(code: string, params?: Record<string, unknown>): string {
  const key = (code in ru ? code : 'error.unknown') as Key;
  return t(key, params);
}

/** A clinic a refusal names, in the current language ("another organization" when not known). */
export function clinicName(clinic: { name_kk: string; name_ru: string } | null | undefined): string {
  if (!clinic) return t('appt.other_clinic_unknown');
  return locale.language === 'kk' ? clinic.name_kk : clinic.name_ru;
}
