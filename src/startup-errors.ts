/**
 * Start-up failures an operator causes and can fix (a database that cannot be reached or
 * refuses us, a busy port, a SQLite path we may not write), turned into one line saying what
 * is wrong and what to try. The server (src/main.ts) and the CLI print that line and exit with
 * code 2 instead of a stack trace; anything not recognised here is a bug and keeps its stack.
 */
import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import { sqliteFileOf } from './store/backup.ts';

export interface StartupContext {
  databaseUrl: string;
  host?: string;
  port?: number;
}

interface ErrorLike {
  code?: unknown;
  errno?: unknown;
  syscall?: unknown;
  path?: unknown;
  address?: unknown;
  port?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** The error and every error it wraps (cause chains, AggregateError's errors), outermost first. */
function chain(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const stack = [error];
  while (stack.length > 0 && out.length < 20) {
    const e = stack.shift();
    if (typeof e !== 'object' || e === null) continue;
    const like = e as ErrorLike;
    out.push(like);
    if (like.cause !== undefined) stack.push(like.cause);
    if (Array.isArray(like.errors)) stack.push(...like.errors);
  }
  return out;
}

/** Where a postgres:// URL points, for messages; never its password. */
function postgresTarget(url: string) {
  try {
    const u = new URL(url);
    return {
      server: `${u.hostname || 'localhost'}:${u.port || '5432'}`,
      host: u.hostname || 'localhost',
      database: decodeURIComponent(u.pathname.replace(/^\//, '')) || '(default)',
      user: decodeURIComponent(u.username) || '(default)',
    };
  } catch {
    return { server: 'the PostgreSQL server', host: '?', database: '?', user: '?' };
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Error codes PostgreSQL sends (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
function explainPostgres(code: string, message: string, url: string): string | undefined {
  const t = postgresTarget(url);
  switch (code) {
    case '3D000':
      return `PostgreSQL at ${t.server} has no database '${t.database}': create it (createdb ${t.database}) or fix the database name in DATABASE_URL.`;
    case '28P01':
      return `PostgreSQL at ${t.server} refused the password of role '${t.user}': check the user and password in DATABASE_URL.`;
    case '28000':
      return `PostgreSQL at ${t.server} refused role '${t.user}' (${message}): check the user in DATABASE_URL, or create the role.`;
    case '42501':
      return `PostgreSQL role '${t.user}' lacks a privilege the migrations need (${message}): grant it CREATE on the database's schema, or run the first start as the schema's owner.`;
    case '53300':
      return `PostgreSQL at ${t.server} has no connection slot left (${message}): raise max_connections or lower the number of instances.`;
    case '57P03':
      return `PostgreSQL at ${t.server} is starting up or shutting down: try again in a moment.`;
  }
  return undefined;
}

/** One line for a start-up failure the operator can fix, or undefined for anything else. */
export function explainStartupError(error: unknown, context: StartupContext): string | undefined {
  const url = context.databaseUrl;
  for (const e of chain(error)) {
    const code = typeof e.code === 'string' ? e.code : '';
    const message = typeof e.message === 'string' ? e.message : String(e);
    const syscall = typeof e.syscall === 'string' ? e.syscall : '';
    const path = typeof e.path === 'string' ? e.path : '';
    if (syscall === 'listen') {
      const where = `${context.host ?? 'HOST'}:${context.port ?? 'PORT'}`;
      if (code === 'EADDRINUSE') {
        return `Port ${context.port} on ${context.host} is already in use by another process: stop it, or set PORT to a free port.`;
      }
      if (code === 'EACCES') {
        return `Not allowed to listen on ${where}: ports below 1024 need privileges; set PORT to 1024 or above (3000) and let a reverse proxy take 443 (docs/deployment.md).`;
      }
      if (code === 'EADDRNOTAVAIL') {
        return `Cannot listen on ${where}: HOST is not an address of this machine; use 127.0.0.1, 0.0.0.0 (every interface) or one of its own addresses.`;
      }
    }
    const newer = /previously executed migration (\S+) is missing/.exec(message);
    if (newer) {
      return `The database was migrated by a newer Scimitar (its migration ${newer[1]} is unknown to this one): run that newer version, or restore the backup taken before the upgrade (docs/deployment.md, Upgrades).`;
    }
    if (url.startsWith('postgres')) {
      const t = postgresTarget(url);
      if (/^[0-9A-Z]{5}$/.test(code)) {
        const line = explainPostgres(code, message, url);
        if (line) return line;
      }
      if (code === 'ECONNREFUSED') {
        return `Cannot connect to PostgreSQL at ${t.server} (connection refused): is it running, and are the host and port in DATABASE_URL right?`;
      }
      if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
        return `Cannot resolve the PostgreSQL host '${t.host}' named in DATABASE_URL: check its spelling and this machine's DNS.`;
      }
      if (['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET'].includes(code)) {
        return `Cannot reach PostgreSQL at ${t.server} (${code}): check DATABASE_URL and that a firewall lets this machine in.`;
      }
      if (/search_path names no existing schema/.test(message)) {
        return `PostgreSQL at ${t.server}: the search_path in DATABASE_URL names no existing schema; create the schema or fix the URL's options.`;
      }
    }
    const file = sqliteFileOf(url);
    if (file) {
      if (['EACCES', 'EPERM', 'EROFS'].includes(code) && path) {
        return `Permission denied on ${path} (${code}), where the SQLite database ${file} goes: let the user running the server write there, or set DATABASE_URL=sqlite:<a writable path>.`;
      }
      if (code === 'ENOTDIR') {
        return `The SQLite path ${file} runs through a file, not a directory: set DATABASE_URL=sqlite:<a path in a directory>.`;
      }
      if (code === 'SQLITE_CANTOPEN' || code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM') {
        const dir = dirname(file);
        const culprit = !writable(dir) ? dir : file;
        return `Cannot open the SQLite database ${file} for writing (${code}): let the user running the server write to ${culprit} (and its -wal and -shm files), or set DATABASE_URL=sqlite:<a writable path>.`;
      }
      if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
        return `${file} is not a usable SQLite database (${code}): point DATABASE_URL at the right file, or restore it from a backup (docs/deployment.md).`;
      }
      if (code === 'SQLITE_BUSY') {
        return `The SQLite database ${file} stayed locked by another process: stop the other process (docs/deployment.md, one SQLite file) and start again.`;
      }
    }
  }
  return undefined;
}
