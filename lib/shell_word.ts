/**
 * `word` as a POSIX shell reads it back: as it is when it holds nothing the shell would take
 * apart, else in single quotes — for a command printed for the user to run.
 *
 * @example
 * ```ts
 * import { shellWord } from "./shell_word.ts";
 * shellWord("mail"); // "mail"
 * shellWord("two words"); // "'two words'"
 * ```
 */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
