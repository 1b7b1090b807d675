/**
 * The PII codec, on when AFTERCARE_CODEC_KEYS is set. Clients and workers take it as
 * `dataConverter: { payloadCodecs: [codec] }`; both sides must use the same keys.
 */
import type { DataConverter } from '@temporalio/common';
import { AesGcmCodec } from './aesGcm';
import { parseCodecKeys, type CodecKey } from './keys';

export { AesGcmCodec, CodecError, ENCRYPTED_ENCODING, KEY_ID_METADATA } from './aesGcm';
export { CodecKeyError, parseCodecKeys, type CodecKey } from './keys';
export { fromJsonPayload, toJsonPayload, RemotePayloadError, type JsonPayload } from './remote';

export const CODEC_KEYS_ENV = 'AFTERCARE_CODEC_KEYS';

/** The codec from the environment, or undefined when no keys are configured (codec off). */
export function codecFromEnv(env: NodeJS.ProcessEnv = process.env): AesGcmCodec | undefined {
  return codecFromKeys(parseCodecKeys(env[CODEC_KEYS_ENV]));
}

/** The codec for already-validated keys (Config.codec.keys), or undefined when there are none. */
export function codecFromKeys(keys: CodecKey[]): AesGcmCodec | undefined {
  return keys.length ? new AesGcmCodec(keys) : undefined;
}

/** `dataConverter` option for Client / Worker; undefined (SDK default) without a codec. */
export function codecDataConverter(codec: AesGcmCodec | undefined): DataConverter | undefined {
  return codec ? { payloadCodecs: [codec] } : undefined;
}
