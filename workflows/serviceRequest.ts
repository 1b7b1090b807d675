/**
 * The service-request workflow. A request runs the lifecycle version it started with, to its end: requests
 * from before versions were recorded (no `lifecycleVersion` in their input) keep running version 1, frozen in
 * workflows/legacy/v1, so that a deploy never changes the code under a request in flight.
 */
import type { ServiceRequestStart, ServiceRequestState } from './messages';
import { serviceRequestV1 } from './legacy/v1/serviceRequest';
import { serviceRequestV2 } from './lifecycle/serviceRequest';

export async function serviceRequest(input: ServiceRequestStart): Promise<ServiceRequestState> {
  if ((input.lifecycleVersion ?? 1) === 1) return serviceRequestV1(input);
  return serviceRequestV2(input);
}
