/**
 * How the tests and the bench start one of the repository's TypeScript entry points in a
 * process of its own. From the sources (`npm run bench`, a test file run by hand with tsx) it
 * goes through tsx, as `npm start` does. Under `npm test` (scripts/run-tests.mjs), which runs
 * the suite from the compiled mirror in .build/ (scripts/compile-tree.mjs), it is the script's
 * compiled twin, started without loader hooks: about 1.6 s less CPU per process here.
 */

/** Whether this module, and so the code that imports it, runs compiled (.build/). */
export const compiled = import.meta.url.endsWith('.js');

/** The script to pass to node or fork(): its compiled twin when running compiled. */
export function entryScript(script: string): string {
  return compiled ? script.replace(/\.ts$/, '.js') : script;
}

/** Node's execArgv for such a script: tsx's loader unless running compiled. */
export const entryExecArgv: string[] = compiled ? [] : ['--import', 'tsx'];

/** Node's arguments that run `script` (a path relative to the root or absolute). */
export function nodeEntry(script: string): string[] {
  return [...entryExecArgv, entryScript(script)];
}
