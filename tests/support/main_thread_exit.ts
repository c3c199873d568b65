/**
 * A program whose main thread ends while another thread runs on: `/proc/<pid>/stat` then shows
 * the process as `Z`, a zombie's state, with more than one thread, yet it runs (and SIGTERM ends
 * it). Prints its pid once its other thread runs, then ends its main thread alone.
 *
 * Run as `deno run --allow-ffi tests/support/main_thread_exit.ts`; Deno is there wherever the
 * tests run, a C compiler may not be.
 *
 * @module
 */

/** `SYS_exit`, which ends the calling thread only (`exit()` ends every thread: `exit_group`). */
const SYS_EXIT: Partial<Record<string, bigint>> = { x86_64: 60n, aarch64: 93n };

const exitThread = SYS_EXIT[Deno.build.arch];
if (exitThread === undefined) throw new Error(`no SYS_exit known on ${Deno.build.arch}`);
const libc = Deno.dlopen("libc.so.6", {
  syscall: { parameters: ["i64", "i64"], result: "i64" },
});
const worker = new Worker(
  `data:text/javascript,postMessage("up"); setInterval(() => {}, 60_000);`,
  { type: "module" },
);
await new Promise((resolve) => worker.onmessage = resolve);
console.log(Deno.pid);
libc.symbols.syscall(exitThread, 0n);
