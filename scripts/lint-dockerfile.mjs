#!/usr/bin/env node
// Lints the Dockerfile (part of `npm run lint`; docs/deployment.md, "Container image"):
// dockerfile-utils' validator (the one behind the Docker language server: syntax, flags and
// their values, instruction rules), every finding a failure, warnings too; then a few rules of
// our own that hadolint would check (hadolint itself cannot be installed from npm): pinned base
// images, apt-get without recommends and without its lists left behind, a non-root final USER,
// JSON-form CMD and ENTRYPOINT, a HEALTHCHECK. Usage: lint-dockerfile.mjs [path], default ./Dockerfile.
// Prints one line per finding, `path:line: message`, and exits 1 if there is any.
import { readFileSync } from 'node:fs';
import { DockerfileParser } from 'dockerfile-ast';
import { ValidationSeverity, validate } from 'dockerfile-utils';

const path = process.argv[2] ?? 'Dockerfile';
const content = readFileSync(path, 'utf8');
const findings = [];
const at = (line, message) => findings.push({ line: line + 1, message });

const every = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};
for (const d of validate(content, every)) at(d.range.start.line, d.message);

const dockerfile = DockerfileParser.parse(content);
const stages = dockerfile
  .getFROMs()
  .map((from) => from.getBuildStage())
  .filter(Boolean);
for (const from of dockerfile.getFROMs()) {
  const image = from.getImageName();
  const line = from.getRange().start.line;
  if (image === undefined || image === 'scratch' || stages.includes(image)) continue;
  const tag = from.getImageTag();
  if (!tag && !from.getImageDigest()) at(line, `FROM ${image}: pin the image to a tag or digest`);
  else if (tag === 'latest') at(line, `FROM ${image}:latest: pin the image to a version`);
}
for (const instruction of dockerfile.getInstructions()) {
  const keyword = instruction.getKeyword();
  const line = instruction.getRange().start.line;
  const text = instruction.getArgumentsContent() ?? '';
  if (keyword === 'RUN' && /\bapt-get\s+(?:-\S+\s+)*install\b/.test(text)) {
    if (!text.includes('--no-install-recommends')) at(line, 'apt-get install: add --no-install-recommends');
    if (!/rm\s+-rf\s+\/var\/lib\/apt\/lists/.test(text)) {
      at(line, 'apt-get install: remove /var/lib/apt/lists/* in the same RUN');
    }
  }
  if ((keyword === 'CMD' || keyword === 'ENTRYPOINT') && !text.trimStart().startsWith('[')) {
    at(line, `${keyword}: use the JSON form, so that signals reach the process`);
  }
}
const lastFrom = dockerfile.getFROMs().at(-1)?.getRange().start.line ?? 0;
const lastUser = dockerfile
  .getInstructions()
  .filter((i) => i.getKeyword() === 'USER' && i.getRange().start.line > lastFrom)
  .at(-1)
  ?.getArgumentsContent()
  ?.trim();
if (!lastUser || lastUser === 'root' || lastUser === '0' || /^(root|0):/.test(lastUser)) {
  at(lastFrom, 'the final stage must switch to a non-root USER');
}
if (!dockerfile.getInstructions().some((i) => i.getKeyword() === 'HEALTHCHECK')) at(0, 'no HEALTHCHECK');

for (const f of findings.sort((a, b) => a.line - b.line)) console.log(`${path}:${f.line}: ${f.message}`);
if (findings.length > 0) process.exit(1);
console.log(`${path}: no findings`);
