import { t, type Key } from '../i18n/index.svelte';

/** What a change of a person's data is of (`PersonChange` key), as the card and its history name it. */
export function dataLabel(field: string): string {
  switch (field) {
    case 'address': return t('card.address');
    case 'temporary_address': return t('card.temporary_address');
    case 'phone': return t('card.phone');
    case 'document': return t('card.document');
    case 'workplace': return t('card.workplace');
    default: return t(`relation.${field}` as Key);
  }
}
