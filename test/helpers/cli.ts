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
