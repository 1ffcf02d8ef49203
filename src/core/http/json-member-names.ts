/** Where the string literal opening at `start` closes (the index of its closing quote). */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i;
}

/**
 * The member names of the top-level object of `text`, in order and with repeats, decoded
 * (`"\u0063ode"` is `code`). `JSON.parse` keeps only the last of a repeated name, which would
 * let a JSON body carry what a form body may not (RFC 6749 §3.2). `text` must already have
 * parsed as a JSON object.
 */
export function jsonMemberNames(text: string): string[] {
  const names: string[] = [];
  let depth = 0;
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      const end = stringEnd(text, i);
      if (depth === 1 && expectName) {
        names.push(JSON.parse(text.slice(i, end + 1)) as string);
        expectName = false;
      }
      i = end;
    } else if (char === '{' || char === '[') {
      depth++;
      if (depth === 1) expectName = true;
    } else if (char === '}' || char === ']') {
      depth--;
    } else if (char === ',' && depth === 1) {
      expectName = true;
    }
  }
  return names;
}
