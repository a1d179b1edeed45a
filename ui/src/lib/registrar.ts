// Who registers at this window: the registrar as she last chose herself on a
// form in this session. Never guessed (the first one in a list once signed
// tickets for whoever was at the window): until staff sign in, a form starts
// with nobody chosen unless she already chose herself here.
const KEY = 'emhana.registrar';

/** The registrar chosen earlier in this session, if she is among `ids`. */
export function rememberedRegistrar(ids: number[]): number | null {
  const remembered = Number(sessionStorage.getItem(KEY));
  return ids.includes(remembered) ? remembered : null;
}

export function rememberRegistrar(id: number | null): void {
  if (id !== null) sessionStorage.setItem(KEY, String(id));
}
