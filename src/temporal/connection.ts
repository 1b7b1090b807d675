import { readFileSync } from 'node:fs';
import { Client, Connection, type ClientInterceptors, type ConnectionOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { TemporalConfig } from '../config';

/** TLS / API-key options shared by the client and worker connections (self-hosted mTLS or Temporal Cloud). */
function tlsOptions(cfg: TemporalConfig): ConnectionOptions['tls'] {
  if (!cfg.tls) return undefined;
  const { serverName, caPath, certPath, keyPath } = cfg.tls;
  return {
    serverNameOverride: serverName,
    serverRootCACertificate: caPath ? readFileSync(caPath) : undefined,
    clientCertPair: certPath && keyPath ? { crt: readFileSync(certPath), key: readFileSync(keyPath) } : undefined,
  };
}

/**
 * `dataConverter`: the PII codec when it is on (src/codec: `codecDataConverter(codecFromEnv())`). `interceptors`:
 * the gRPC interceptors instead of the SDK's retrying one (the API's: `apiConnectionInterceptors`, retry.ts).
 */
export async function connectClient(
  cfg: TemporalConfig,
  opts: { dataConverter?: DataConverter; interceptors?: ConnectionOptions['interceptors']; clientInterceptors?: ClientInterceptors } = {},
): Promise<Client> {
  const connection = await Connection.connect({
    address: cfg.address,
    tls: tlsOptions(cfg),
    apiKey: cfg.apiKey,
    ...(opts.interceptors ? { interceptors: opts.interceptors } : {}),
  });
  return new Client({
    connection,
    namespace: cfg.namespace,
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
    ...(opts.clientInterceptors ? { interceptors: opts.clientInterceptors } : {}),
  });
}

export async function connectWorker(cfg: TemporalConfig): Promise<NativeConnection> {
  const options: NativeConnectionOptions = { address: cfg.address, tls: tlsOptions(cfg), apiKey: cfg.apiKey };
  return NativeConnection.connect(options);
}
