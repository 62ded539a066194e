#!/usr/bin/env node
// `npx scimitar <command>` (package.json "bin"): the admin CLI (src/cli/) with nothing printed
// but the command's own output, unlike `npm run cli`, whose banner goes to stdout.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/bin.ts');
