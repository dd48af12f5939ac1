/** Starting and stopping the local API's HTTP servers (the gateway, the table endpoint, the engine) one way. */
import type * as http from 'http';
import type { AddressInfo } from 'net';

/** Listens on `host:port` (0: a free port) and resolves to the base URL (an IPv6 host in brackets) and port. */
export async function listen(server: http.Server, host: string, port = 0): Promise<{ url: string; port: number }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostname = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { url: `http://${hostname}:${address.port}`, port: address.port };
}

/** Stops listening and ends every connection, idle keep-alive ones included; a server already closed is done. */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.close((error?: NodeJS.ErrnoException) =>
      error && error.code !== 'ERR_SERVER_NOT_RUNNING' ? reject(error) : resolve(),
    );
    server.closeAllConnections();
  });
}
