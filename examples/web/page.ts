/** What both pages of the demo do with their elements: find, show or hide, say a status. */

export function element(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found;
}

export function show(ids: readonly string[], visible: boolean): void {
  for (const id of ids) element(id).hidden = !visible;
}

export function status(text: string, isError = false): void {
  element('status').textContent = text;
  element('status').className = isError ? 'error' : '';
}
