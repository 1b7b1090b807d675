/**
 * `historyToJSON` / `historyFromJSON` of @temporalio/common/lib/proto-utils, with one protobufjs.
 *
 * In this install @temporalio/common and @temporalio/proto each carry their own nested copy of protobufjs 8
 * (the top level holds 7.x for @grpc/proto-loader), so the SDK's pair throws "type must be a Type" — an
 * `instanceof` across the two copies — and so does Worker.runReplayHistories when handed JSON. This is the
 * same conversion done with the protobufjs that @temporalio/proto's types were built with: the output is the
 * standard proto3 JSON history (what `temporal workflow show --output json` writes).
 */
import { dirname } from 'node:path';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

type History = proto.temporal.api.history.v1.IHistory;
interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const protojson = require(
  require.resolve('protobufjs/ext/protojson', { paths: [dirname(require.resolve('@temporalio/proto'))] }),
) as ProtoJson;
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType(
  'temporal.api.history.v1.History',
);

export function historyToJSON(history: History): string {
  return JSON.stringify(protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)), null, 2);
}

export function historyFromJSON(json: unknown): History {
  const loaded = protojson.fromJson(historyType, json, { ignoreUnknownFields: true });
  if (!loaded) throw new TypeError('invalid history JSON');
  return loaded as History;
}
