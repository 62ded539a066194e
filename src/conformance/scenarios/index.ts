/** Every scenario, by the name `--idp` takes. */
import type { Scenario } from '../types.ts';
import { entra } from './entra.ts';
import { generic } from './generic.ts';
import { google } from './google.ts';
import { jumpcloud } from './jumpcloud.ts';
import { okta } from './okta.ts';
import { onelogin } from './onelogin.ts';
import { ping } from './ping.ts';
import { rippling } from './rippling.ts';

export const scenarios: readonly Scenario[] = [
  entra,
  okta,
  google,
  onelogin,
  jumpcloud,
  ping,
  rippling,
  generic,
];

export const idpNames: readonly string[] = scenarios.map((s) => s.idp);

export function scenarioFor(idp: string): Scenario | undefined {
  return scenarios.find((s) => s.idp === idp);
}
