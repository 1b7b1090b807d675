/**
 * Temporal's remote codec protocol (what the Web UI and `temporal --codec-endpoint` speak):
 * POST <endpoint>/encode | /decode with `{ "payloads": [ { "metadata": { k: base64 }, "data": base64 } ] }`
 * (proto3 JSON of temporal.api.common.v1.Payload) and the same shape back.
 */
import type { Payload } from '@temporalio/common';

export interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

export class RemotePayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemotePayloadError';
  }
}

const B64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function bytes(b64: unknown, where: string): Uint8Array {
  if (typeof b64 !== 'string' || !B64.test(b64)) throw new RemotePayloadError(`${where}: expected base64`);
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

export function fromJsonPayload(p: JsonPayload, i: number): Payload {
  if (typeof p !== 'object' || p === null) throw new RemotePayloadError(`payloads[${i}]: expected an object`);
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) metadata[k] = bytes(v, `payloads[${i}].metadata.${k}`);
  return { metadata, data: p.data === undefined ? new Uint8Array() : bytes(p.data, `payloads[${i}].data`) };
}

export function toJsonPayload(p: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) if (v) metadata[k] = Buffer.from(v).toString('base64');
  return { metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') };
}
