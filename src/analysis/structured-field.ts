/**
 * A tolerant reader for the HTTP structured-field lists the IETF `RateLimit` and
 * `RateLimit-Policy` headers use (`"default";r=50;t=30, "day";r=900;t=3600`), and
 * for the dictionary form older drafts used (`limit=100, remaining=50, reset=30`).
 *
 * Why not a full RFC 8941 parser: servers in the wild send every draft's variant,
 * with stray spaces and missing quotes; a strict parser would reject most of them.
 * This one splits on top-level commas and semicolons (respecting quotes) and never
 * throws.
 */

/** One list member: its bare item (token, quoted string or number, unquoted) and its parameters. */
export interface FieldMember {
  item: string;
  /** Present when the member itself was `key=value` (the dictionary form). */
  key: string | null;
  params: Record<string, string>;
}

/** Splits `text` on `separator` where it is not inside double quotes. */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (char === '\\' && quoted && index + 1 < text.length) {
      current += char + text[index + 1]!;
      index++;
      continue;
    }
    if (char === '"') quoted = !quoted;
    if (char === separator && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

/** Removes surrounding quotes and unescapes `\"` and `\\`. */
function unquote(text: string): string {
  const value = text.trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(["\\])/g, '$1');
  }
  return value;
}

/** Reads a structured-field list (or dictionary); garbage gives members with odd items, never an exception. */
export function parseFieldList(text: string): FieldMember[] {
  const members: FieldMember[] = [];
  for (const rawMember of splitOutsideQuotes(text, ',')) {
    if (rawMember.trim() === '') continue;
    const [head = '', ...rawParams] = splitOutsideQuotes(rawMember, ';');
    const params: Record<string, string> = {};
    for (const rawParam of rawParams) {
      const equals = rawParam.indexOf('=');
      const name = (equals < 0 ? rawParam : rawParam.slice(0, equals)).trim().toLowerCase();
      if (name === '') continue;
      params[name] = equals < 0 ? '' : unquote(rawParam.slice(equals + 1));
    }
    const trimmedHead = head.trim();
    const equals = trimmedHead.indexOf('=');
    if (equals > 0 && !trimmedHead.startsWith('"')) {
      members.push({ key: trimmedHead.slice(0, equals).trim().toLowerCase(), item: unquote(trimmedHead.slice(equals + 1)), params });
    } else {
      members.push({ key: null, item: unquote(trimmedHead), params });
    }
  }
  return members;
}
