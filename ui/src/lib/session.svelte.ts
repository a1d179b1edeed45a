// What the signed-in member of staff's roles allow, as the core computed it
// at sign-in (StaffSession.allowed): the window offers only these. The core
// checks each again when asked; this only keeps a refused button out of sight.
import type { Action } from './bindings';

export const permissions = $state<{ allowed: Action[] }>({ allowed: [] });

export function allows(action: Action): boolean {
  return permissions.allowed.includes(action);
}
