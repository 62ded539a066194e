/**
 * Shutting down without waiting for connections that carry no request.
 *
 * On close, Node's HTTP server closes its idle keep-alive connections, and Fastify answers
 * what still arrives with `Connection: close`. A connection that a client opened and never sent
 * a request on is neither: Node counts it as active until its headers timeout (60 s), checked
 * every 30 s, so `app.close()`, and with it a SIGTERM, waited 60 to 90 s for it. HTTP clients
 * open such connections ahead of need (undici does while its other connections are busy). On
 * close they are closed at once; a connection with a request in progress closes when its
 * response ends.
 */
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

export function closeUnusedConnectionsOnClose(app: FastifyInstance): void {
  const unused = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    unused.add(socket);
    socket.once('close', () => unused.delete(socket));
  });
  app.server.on('request', (request: { socket: Socket }) => {
    unused.delete(request.socket);
  });
  app.addHook('preClose', (done) => {
    for (const socket of unused) socket.destroy();
    unused.clear();
    done();
  });
}
