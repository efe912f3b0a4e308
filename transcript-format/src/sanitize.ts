/**
 * Text that cannot travel: NUL (rejected or cut by many stores) and lone UTF-16 surrogates (not Unicode,
 * so not encodable as UTF-8 on the way to Dataverse). Both become U+FFFD; everything else is kept as is.
 */

const UNSAFE = /[\0\uD800-\uDFFF]/;

export function sanitizeText(text: string): string {
  if (!UNSAFE.test(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0) {
      out += '\uFFFD';
    } else if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += text[i] + text[i + 1];
        i++;
      } else {
        out += '\uFFFD';
      }
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      out += '\uFFFD';
    } else {
      out += text[i];
    }
  }
  return out;
}

/** Cuts `text` to at most `length` code units without splitting a surrogate pair. */
export function cutAt(text: string, length: number): string {
  if (length >= text.length) return text;
  if (length <= 0) return '';
  const code = text.charCodeAt(length - 1);
  return code >= 0xd800 && code <= 0xdbff ? text.slice(0, length - 1) : text.slice(0, length);
}
