/**
 * The HTTP exchange of a webhook delivery, over node:http(s) with keep-alive agents of our
 * own (one per dispatcher), for three reasons fetch() does not serve:
 *
 * - the agents connect through events/address-policy.ts `guardedLookup` (unless
 *   WEBHOOK_ALLOW_PRIVATE), so the address actually connected to is checked, not just the one
 *   the name had when the endpoint was created (DNS rebinding);
 * - redirects are never followed (node:http does not follow them): a 3xx is an answer like any
 *   other non-2xx and the delivery is retried; following it would let a public endpoint send
 *   the signed request on to a private address;
 * - the response body is read up to its first RESPONSE_START bytes and the connection then
 *   dropped, so a receiver answering with an endless body costs nothing.
 *
 * One timeout covers the whole exchange, connection to the last byte read.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { ForbiddenAddressError, guardedLookup, hostOf, isPublicAddress } from './address-policy.ts';

/** Bytes of a response body kept with its attempt. */
export const RESPONSE_START = 1024;

export interface PostAnswer {
  status: number;
  /** The first RESPONSE_START bytes of the body, as text; null when it had none. */
  responseStart: string | null;
}

export interface WebhookHttpOptions {
  /** Whether loopback, private and other non-public addresses may be reached (WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  timeoutMs: number;
  /** Connections kept per host at most (the dispatcher's concurrency). */
  maxSockets: number;
}

export class WebhookHttp {
  private readonly agents: { 'http:': http.Agent; 'https:': https.Agent };

  constructor(private readonly options: WebhookHttpOptions) {
    const agentOptions = {
      keepAlive: true,
      maxSockets: options.maxSockets,
      ...(options.allowPrivate ? {} : { lookup: guardedLookup }),
    };
    this.agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };
  }

  /** POSTs `body`; resolves with the answer's status and the start of its body, rejects on no answer. */
  post(url: string, body: string, headers: Record<string, string>): Promise<PostAnswer> {
    const target = new URL(url);
    const host = hostOf(target);
    // An IP literal is connected to without a lookup: check it here.
    if (!this.options.allowPrivate && isIP(host) && !isPublicAddress(host)) {
      return Promise.reject(new ForbiddenAddressError(host, host));
    }
    const protocol = target.protocol === 'https:' ? 'https:' : 'http:';
    const send = protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = send(target, {
        method: 'POST',
        agent: this.agents[protocol],
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      });
      const timer = setTimeout(() => {
        const error = new Error(`timed out after ${this.options.timeoutMs} ms`);
        error.name = 'TimeoutError';
        req.destroy(error);
      }, this.options.timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        reject(error);
      };
      req.on('error', fail);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).subarray(0, RESPONSE_START).toString('utf8');
          resolve({ status: res.statusCode ?? 0, responseStart: size === 0 ? null : text });
        };
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= RESPONSE_START) {
            // Enough: the rest is not read, and the connection is not reused.
            res.destroy();
            done();
          }
        });
        res.on('end', done);
        res.on('error', fail);
      });
      req.end(body);
    });
  }

  /** Closes the kept connections. */
  close(): void {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }
}
