/**
 * The floor: a bare node:http server answering every request with the same small JSON body.
 * Measured with the same driver and settings as the SCIM server, in the same run, it is what
 * this machine can do for HTTP alone; the report divides the SCIM figures by it.
 */
import { createServer } from 'node:http';

const body = Buffer.from(
  JSON.stringify({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
    totalResults: 0,
    Resources: [],
  }),
);

const server = createServer((request, response) => {
  // Drain any body so that keep-alive connections stay usable.
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/scim+json', 'content-length': body.length });
    response.end(body);
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`floor listening on http://127.0.0.1:${port}\n`);
});

process.once('SIGTERM', () => server.close(() => process.exit(0)));
