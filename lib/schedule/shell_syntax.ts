/**
 * Whether sh can parse commands, asked of one sh for all of them, running none.
 *
 * @module
 */

/** The first command sh cannot parse: where it is in the list, and what sh said of it. */
export interface Unparsable {
  index: number;
  /** sh's words, without its name and line number: `Syntax error: Unterminated quoted string`. */
  said: string;
}

/**
 * Status of a check whose sh ran the `exit` meant to be only parsed: it ignores `set -n` inside
 * `eval`, so the commands after it would have run.
 */
const RAN = 9;

/**
 * Each command is parsed alone, as `sh -c` will read it: joined into one script, a stray quote
 * on one line and one on a later line would pair up and parse. `set -n` in the eval makes sh
 * read the rest without running it, and in a subshell it ends with the subshell: the next check
 * runs. A syntax error ends the subshell too; the first one ends the script.
 */
const CHECK = `check() { (eval "set -n
exit ${RAN}
$2") || { echo "$1 $?"; exit; }; }
`;

/**
 * The first of `commands` that sh (the one on PATH, which runs them later) cannot parse, such
 * as an unterminated quote or a stray `)`; undefined when it parses them all. One sh is started,
 * whatever their number, with an empty environment (it only parses: coord's credentials have no
 * business there). Undefined too when no sh can be started, or the sh cannot parse without
 * running: then nothing is known until a command runs.
 *
 * @example
 * ```ts
 * import { firstUnparsable } from "./shell_syntax.ts";
 * const found = await firstUnparsable(["echo ok", "echo 'unterminated"]);
 * found?.index; // 1
 * found?.said; // "Syntax error: Unterminated quoted string" (dash's words)
 * ```
 */
export async function firstUnparsable(
  commands: readonly string[],
): Promise<Unparsable | undefined> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("sh", {
      clearEnv: true,
      env: {},
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch {
    return undefined;
  }
  const output = child.output();
  const script = CHECK + commands.map((command, i) => `check ${i} ${quoted(command)}\n`).join("");
  const writer = child.stdin.getWriter();
  try {
    await writer.write(new TextEncoder().encode(script));
    await writer.close();
  } catch (e) {
    // sh stops reading at the first command it cannot parse.
    if (!(e instanceof Deno.errors.BrokenPipe)) throw e;
  }
  const { stdout, stderr } = await output;
  const stopped = /^(\d+) (\d+)$/.exec(new TextDecoder().decode(stdout).trim());
  if (!stopped || Number(stopped[2]) === RAN) return undefined;
  // dash says "/usr/bin/sh: 3: eval: Syntax error: …", bash "sh: eval: line 5: …": the words
  // after the place. The error ended the script, so it is the last line: bash warns of valid
  // commands before it (a here-document cut short).
  const said = new TextDecoder().decode(stderr).trim().split("\n").at(-1)!
    .replace(/^.*?\beval: (?:line \d+: )?/, "");
  return { index: Number(stopped[1]), said };
}

/** `text` as one sh word that stands for itself: single-quoted, each `'` as `'\''`. */
function quoted(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
