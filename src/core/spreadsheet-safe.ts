/**
 * A cell that a spreadsheet will not run as a formula. Cells starting with = + - @ (or a tab
 * or carriage return, which some programs skip before looking) get a leading apostrophe,
 * which spreadsheets show as text. This applies to E.164 numbers too ("+1…"), which also
 * keeps Excel from turning them into floating-point numbers.
 */
export function spreadsheetSafe(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}
