/**
 * The service-request workflow's public surface: start input, one update per lifecycle action (derived from
 * src/domain/lifecycle), the intake update, the photo signal and the state query. Shared by the workflow,
 * the API and the tests; workflow-safe (no Node built-ins).
 */
import type { UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { ACTIONS, type Action, type ActionArgs } from '../src/domain/lifecycle/actions';
import type { ResolvedPolicy } from '../src/domain/policyTypes';
import type { PhotoKind, ServiceRequestInput, UploadKind } from '../src/domain/types';
import type { EarlierRequest, ServiceRequestView } from '../src/domain/lifecycle/view';
import type { ComplaintLink } from '../src/domain/complaints';

export const SERVICE_REQUEST_WORKFLOW = 'serviceRequest';

/**
 * The lifecycle a request runs, fixed at its start. Requests started before versions were recorded run
 * version 1 (workflows/legacy/v1) until they close; see "Deploying a new lifecycle" in the README.
 */
export const CURRENT_LIFECYCLE = 5;

export interface ServiceRequestStart {
  /** Workflow id (`sr-…`). */
  requestId: string;
  request: ServiceRequestInput;
  /** The policy this request lives by, resolved when it was received. */
  policy: ResolvedPolicy;
  /** SHA-256 of the normalised request body: the same key with another body is a conflict. */
  bodyHash: string;
  /** Random id of the HTTP call that started it, so update-with-start can tell "created" from "existing". */
  startAttemptId: string;
  /** Absent: version 1 (started before lifecycle versions existed). */
  lifecycleVersion?: number;
  /**
   * The integration that started it (its token's name): the only one that may read, list or repeat it. Absent in
   * requests started before owners were recorded: those are for ops only.
   */
  owner?: string;
  /**
   * The customer's earlier requests, looked up by the API at intake (customer history). Only copied into the
   * state (`earlierRequests`); absent when not looked up (requests from before it, or visibility down at intake).
   */
  history?: EarlierRequest[];
  /**
   * Lifecycle 5, complaints: the earlier request named by `complaint.relatesTo`, resolved by the API at intake (its
   * id, ticket and technician). Absent when the complaint names none.
   */
  complaintLink?: ComplaintLink;
}

export type { EarlierRequest };

/** The request as callers see it (version 1 of the HTTP state); the workflow's internals stay inside. */
export type ServiceRequestState = ServiceRequestView;

/** A visit photo as the request records it (`photos`). */
export interface PhotoRecord {
  kind: PhotoKind;
  key: string;
  at: string;
}

/**
 * What the photo signal announces: a visit photo, or (lifecycle 4) an `invoice`, which becomes the warranty's
 * proof and never enters `photos` (the photo check counts those).
 */
export type PhotoUpload = PhotoRecord | { kind: Extract<UploadKind, 'invoice'>; key: string; at: string };

// ── Updates: transitions from outside, one per lifecycle action. A rejected validator writes nothing. ──
export type ActionUpdate<A extends Action> = UpdateDefinition<ServiceRequestState, [ActionArgs<A>], A>;
export const ACTION_UPDATES = Object.fromEntries(ACTIONS.map((a) => [a, defineUpdate(a)])) as { [A in Action]: ActionUpdate<A> };

export const intakeUpdate = defineUpdate<
  { created: boolean; bodyHashMatches: boolean; state: ServiceRequestState },
  [{ startAttemptId: string; bodyHash: string }]
>('intake');

// ── Signals: fire-and-forget events. ──
export const photoUploadedSignal = defineSignal<[PhotoUpload]>('photoUploaded');

// ── Queries ──
export const stateQuery = defineQuery<ServiceRequestState>('state');
