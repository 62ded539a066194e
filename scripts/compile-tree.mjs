// Compiles the repository's TypeScript into a mirror of the tree (default `.build/`), so that
// the test runner and the processes it starts load plain JavaScript: through tsx every module
// (ours and node_modules' ESM alike) passes through loader hooks on another thread, which
// costs about 1.6 s of CPU per process here, and the suite starts several hundred processes.
//
// The mirror holds, for every file of the repository outside node_modules and .git:
// - a `.ts` file: its JavaScript as `.js` (types stripped by TypeScript's transpileModule, no
//   type check: `npm run typecheck` does that; relative `.ts` specifiers rewritten to `.js`,
//   `@scimitar/sdk` to the SDK's sources as tsconfig.json's `paths` says), and the `.ts`
//   itself as a symbolic link, for what reads or runs the sources (`npm start` runs them
//   through tsx);
// - any other file: a symbolic link to it. So `new URL('../..', import.meta.url)` in the
//   mirror is a root that holds the README, docs, assets and package.json as they are.
//
// Only what changed since the last compile is written again: each `.js` carries its source's
// modification time, and a source whose time differs (newer or older: a file copied with its
// time kept, a checkout of another version) is compiled again.
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

const SKIP = new Set(['node_modules', '.git', '.build', 'data', '.tmp']);

const options = {
  target: ts.ScriptTarget.ES2022,
  // Every file of this package is an ES module ("type": "module").
  module: ts.ModuleKind.ESNext,
  verbatimModuleSyntax: true,
  rewriteRelativeImportExtensions: true,
  sourceMap: false,
  inlineSourceMap: true,
  esModuleInterop: true,
};

/** Compiles `root` into `out`; returns how many files were compiled. */
export function compileTree(root, out = join(root, '.build')) {
  const sdk = join(root, 'packages/sdk/src/index.ts');
  let compiled = 0;
  const seen = new Set();
  const visit = (dir) => {
    for (const name of readdirSync(dir)) {
      if (SKIP.has(name) && dir === root) continue;
      // git reads no .gitignore through a link (and nothing else needs one in the mirror).
      if (name === '.gitignore') continue;
      const source = join(dir, name);
      const target = join(out, relative(root, source));
      const stat = lstatSync(source);
      // A directory is mirrored; a package's own node_modules (packages/sdk) is linked whole.
      if (stat.isDirectory() && name !== 'node_modules') {
        mkdirSync(target, { recursive: true });
        seen.add(target);
        visit(source);
        continue;
      }
      link(source, target);
      seen.add(target);
      if (stat.isFile() && name.endsWith('.ts') && !name.endsWith('.d.ts')) {
        const js = target.slice(0, -3) + '.js';
        seen.add(js);
        if (existsSync(js) && Math.abs(statSync(js).mtimeMs - stat.mtimeMs) < 1) continue;
        let text = ts.transpileModule(readFileSync(source, 'utf8'), {
          compilerOptions: options,
          fileName: source,
        }).outputText;
        // tsconfig.json's `paths`: the SDK resolves to its sources in this repository.
        const toSdk = relative(dirname(source), sdk).replace(/\.ts$/, '.js');
        text = text.replace(
          /(from\s+|import\()(['"])@scimitar\/sdk\2/g,
          `$1$2${toSdk.startsWith('.') ? toSdk : `./${toSdk}`}$2`,
        );
        writeFileSync(js, text);
        utimesSync(js, stat.atime, stat.mtime);
        compiled++;
      }
    }
  };
  mkdirSync(out, { recursive: true });
  visit(root);
  prune(out, seen);
  return compiled;
}

function link(source, target) {
  try {
    const existing = lstatSync(target);
    if (existing.isSymbolicLink()) return;
    rmSync(target, { recursive: true, force: true });
  } catch {
    // not there yet
  }
  symlinkSync(source, target);
}

/** Removes from the mirror what is no longer in the tree. */
function prune(dir, seen) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (!seen.has(p)) {
      rmSync(p, { recursive: true, force: true });
      continue;
    }
    if (lstatSync(p).isDirectory()) prune(p, seen);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
  const started = performance.now();
  const n = compileTree(root);
  console.log(`compiled ${n} files in ${Math.round(performance.now() - started)} ms`);
}
