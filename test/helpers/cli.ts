/** The CLI in this process (runCli), its output captured; `ask` stands in for a terminal. */
import { runCli } from '../../src/cli/cli.ts';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function cliIn(
  url: string,
  argv: string[],
  options: { env?: Record<string, string>; ask?: (question: string) => Promise<string> } = {},
): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await runCli(
    argv,
    {
      DATABASE_URL: url,
      PUBLIC_URL: 'https://scim.example.com',
      // Test receivers listen on loopback (events/address-policy.ts).
      WEBHOOK_ALLOW_PRIVATE: 'true',
      ...options.env,
    },
    {
      out: (t) => {
        out += t;
      },
      err: (t) => {
        err += t;
      },
      ...(options.ask ? { ask: options.ask } : {}),
    },
  );
  return { code, out, err };
}

/** A CLI command run with `--json`: it must exit 0, and its output is parsed (as JSON.parse types it). */
// biome-ignore lint/suspicious/noExplicitAny: parsed CLI output, read field by field by the tests
export async function cliJsonIn(url: string, argv: string[]): Promise<any> {
  const run = await cliIn(url, [...argv, '--json']);
  if (run.code !== 0) throw new Error(`${argv.join(' ')} --json exited ${run.code}: ${run.err}`);
  return JSON.parse(run.out);
}
