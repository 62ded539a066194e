/**
 * Shutting down without waiting for connections that carry no request.
 *
 * On close, Node's HTTP server closes its idle keep-alive connections, and Fastify answers
 * what still arrives with `Connection: close`. A connection that a client opened and never sent
 * a request on is neither: Node counts it as active until its headers timeout, which it stops
 * checking once the server closes, so `app.close()`, and with it a SIGTERM, waited until the
 * client went away. HTTP clients open such connections ahead of need (undici does while its
 * other connections are busy). And a connection whose request was in progress when the close
 * began was kept alive after its response, for the keep-alive timeout (72 s).
 *
 * On close, every connection that has no response in progress is closed at once; one with a
 * response in progress is answered with `Connection: close` and closed when the response ends.
 *
 * No 'request' listener is added: the fast path (fast-reads.ts) takes the server's only one.
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** Node's HTTP server sets `_httpMessage` on a socket while a response is in progress on it. */
type ServerSocket = Socket & { _httpMessage?: ServerResponse | null };

export function closeUnusedConnectionsOnClose(app: FastifyInstance): void {
  const sockets = new Set<ServerSocket>();
  app.server.on('connection', (socket: ServerSocket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  app.addHook('preClose', (done) => {
    for (const socket of sockets) {
      const response = socket._httpMessage;
      if (!response) {
        socket.destroy();
        continue;
      }
      // Not written yet: Node sends `Connection: close` and closes after it.
      if (!response.headersSent) response.shouldKeepAlive = false;
      response.once('finish', () => socket.end());
    }
    done();
  });
}
