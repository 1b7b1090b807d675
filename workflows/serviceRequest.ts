/**
 * The service-request workflow. A request runs the lifecycle version it started with, to its end: requests
 * from before versions were recorded (no `lifecycleVersion` in their input) keep running version 1, frozen in
 * workflows/legacy/v1, so that a deploy never changes the code under a request in flight. Versions 2 and 3 share
 * workflows/lifecycle, where version 3's rules are gated on the version (version 2 runs exactly as recorded).
 */
import { CURRENT_LIFECYCLE, type ServiceRequestStart, type ServiceRequestState } from './messages';
import { serviceRequestV1 } from './legacy/v1/serviceRequest';
import { serviceRequestV2 } from './lifecycle/serviceRequest';

export async function serviceRequest(input: ServiceRequestStart): Promise<ServiceRequestState> {
  const version = input.lifecycleVersion ?? 1;
  // A request from a newer build than this worker's: fail the task (it is retried) until a newer worker takes it,
  // rather than run it on rules it was not started with.
  if (version > CURRENT_LIFECYCLE) throw new Error(`lifecycle version ${version} is newer than this worker's (${CURRENT_LIFECYCLE})`);
  if (version === 1) return serviceRequestV1(input);
  return serviceRequestV2(input);
}
