/**
 * `conformance --base URL --token T [--idp <name>|all] [--json]`: plays each IdP's recorded
 * lifecycle (src/conformance/scenarios/) against any SCIM server, prints every step and, for
 * each failure, the request and the reason, and ends with `N passed, M failed`. It deletes what
 * it created. Needs no database: it talks HTTP only.
 */
import { type Command, CommanderError, Option } from 'commander';
import { formatRun, redact } from '../../conformance/report.ts';
import { runScenarios } from '../../conformance/runner.ts';
import { idpNames, scenarios } from '../../conformance/scenarios/index.ts';
import type { CliContext } from '../cli.ts';

interface Options {
  base: string;
  token: string;
  idp: string;
  json?: boolean;
  timeout: string;
}

export function register(program: Command, ctx: CliContext) {
  const fail = (code: number, message: string): never => {
    ctx.io.err(`error: ${message}\n`);
    throw new CommanderError(code, 'conformance.usage', message);
  };
  program
    .command('conformance')
    .description("Play each identity provider's provisioning lifecycle against a SCIM server")
    .requiredOption('--base <url>', 'SCIM base URL, e.g. https://scim.example.com/scim/v2/acme')
    .requiredOption('--token <token>', 'bearer token for that base URL (never printed)')
    .addOption(new Option('--idp <name>', 'which IdP to play').choices([...idpNames, 'all']).default('all'))
    .option('--timeout <ms>', 'per-request timeout in milliseconds', '15000')
    .option('--json', 'print the structured results as JSON')
    .action(async (opts: Options) => {
      let base: URL;
      try {
        base = new URL(opts.base);
        if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error('not http(s)');
      } catch {
        return fail(2, `--base must be an http(s) URL, got '${opts.base}'`);
      }
      const timeoutMs = Number(opts.timeout);
      if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
        return fail(2, '--timeout must be a positive whole number');
      }
      const chosen = opts.idp === 'all' ? scenarios : scenarios.filter((s) => s.idp === opts.idp);
      const summary = await runScenarios(chosen, { base: base.toString(), token: opts.token, timeoutMs });
      if (summary.refused) {
        ctx.io.err(
          opts.json ? `${JSON.stringify({ error: summary.refused })}\n` : `error: ${summary.refused}\n`,
        );
        throw new CommanderError(1, 'conformance.refused', summary.refused);
      }
      if (opts.json) {
        // Recorded requests never hold the token; password values are redacted like the text
        // output; raw response text is left out (the parsed body is there).
        const replacer = (key: string, value: unknown) => (key === 'text' ? undefined : value);
        ctx.io.out(`${JSON.stringify(redact(summary), replacer, 2)}\n`);
      } else {
        ctx.io.out(formatRun(summary));
      }
      if (summary.failed > 0) throw new CommanderError(1, 'conformance.failed', `${summary.failed} failed`);
    });
}
