// The catalogs' names of the visit reasons, taken from the core's one list
// (emhana_domain::booking::VisitReason, through the generated bindings), so
// the form and the printed slip always say the same.
import { VISIT_REASON_NAMES, type VisitReason } from '../lib/bindings';

export function reasonNames(language: 'kk' | 'ru'): Record<`reason.${VisitReason}`, string> {
  const names = {} as Record<`reason.${VisitReason}`, string>;
  for (const [reason, name] of Object.entries(VISIT_REASON_NAMES) as [VisitReason, { kk: string; ru: string }][]) {
    names[`reason.${reason}`] = name[language];
  }
  return names;
}
