// Typed calls to the desktop shell's commands. The UI decides no business rule:
// classification of the typed text, validation and ranking happen in the core.
import { invoke } from '@tauri-apps/api/core';
import type { Language } from '../i18n/index.svelte';

export interface CommandError {
  code: string;
  message: string;
  details: Record<string, unknown> | null;
}

export interface ClinicSummary {
  bin: string;
  name_kk: string;
  name_ru: string;
  address: string;
  districts: number;
  staff: number;
}

export interface StoreStatus {
  path: string;
  clinic: ClinicSummary | null;
  persons: number;
}

export interface Startup {
  status: StoreStatus;
  language: Language | null;
}

export type Sex = 'male' | 'female';

export interface PersonHit {
  id: number;
  iin: string;
  full_name: string;
  birth_date: string;
  sex: Sex;
  address: string | null;
  phone: string | null;
  matched: 'iin' | 'phone' | 'name';
}

export interface Notice {
  code: string;
  [detail: string]: unknown;
}

export interface SearchOutcome {
  hits: PersonHit[];
  notice: Notice | null;
}

export interface HouseholdMember {
  id: number;
  iin: string;
  full_name: string;
  birth_date: string;
  age: number | null;
  sex: Sex;
}

export interface PersonCard extends HouseholdMember {
  citizenship: string;
  address: string | null;
  phone: string | null;
  iin_agrees: boolean;
  household: HouseholdMember[];
}

export const DEMO_PERSONS = 20000;

export const api = {
  startup: () => invoke<Startup>('startup'),
  search: (text: string, limit = 30) => invoke<SearchOutcome>('search_persons', { text, limit }),
  personCard: (id: number) => invoke<PersonCard>('person_card', { id }),
  loadDemoClinic: () => invoke<StoreStatus>('load_demo_clinic'),
  setLanguage: (language: Language) => invoke<void>('set_language', { language }),
};

/** Whatever a command rejected with, as a CommandError. */
export function asCommandError(error: unknown): CommandError {
  if (error && typeof error === 'object' && 'code' in error) return error as CommandError;
  return { code: 'error.unknown', message: String(error), details: null };
}

/** "1978-03-22" → "22.03.1978", as dates are written in Kazakhstan. */
export function displayDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}.${m}.${y}`;
}
