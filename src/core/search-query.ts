/**
 * What a person typed into the global search box (#19), read the ways it can be meant: words
 * (a name, a UPN, a tenant, a range name), a number read out with any formatting ("+1 (425)
 * 555-0101", "425 555 0101"), a 3CX extension ("101") or a ConnectWise ticket ("#7001").
 */
export type SearchTerms = {
  /** Trimmed and lower-cased, as typed. */
  text: string;
  /** The digits, when the text is nothing but digits and number formatting; else null. */
  digits: string | null;
  /** Written with a leading "+": the digits start with the country code. */
  international: boolean;
  /** A ticket number ("7001" or "#7001"); else null. */
  ticket: string | null;
};

/** Fewer characters than this match too much to be useful in a trigram search. */
export const MIN_TEXT_LENGTH = 3;
/** A number search needs at least this many digits. */
export const MIN_NUMBER_DIGITS = 3;

export function parseSearchQuery(raw: string): SearchTerms {
  const text = raw.trim().toLowerCase();
  const stripped = text.replace(/[\s()+./-]/g, '');
  const digits = /^\d+$/.test(stripped) && /^[\d\s()+./-]+$/.test(text) ? stripped : null;
  const ticketMatch = /^#?\s*(\d{1,12})$/.exec(text);
  return { text, digits, international: text.startsWith('+') || text.startsWith('00'), ticket: ticketMatch ? ticketMatch[1]! : null };
}

/** Escapes LIKE's wildcards, so "50%" looks for "50%". */
export function likeEscape(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}
