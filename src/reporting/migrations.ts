/**
 * The reporting database's schema, as numbered migrations applied in order at start (src/reporting/migrate.ts).
 * Never edit a migration that shipped: add the next one. No customer name, phone or address is stored: the region
 * (from the address) and the keyed customer hash (CustomerKey) are enough for every report.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'requests and their events',
    sql: `
CREATE TABLE requests (
  request_id         text PRIMARY KEY,
  ticket             text NOT NULL,
  -- Projection order within the request: a row is only replaced by a newer projection.
  seq                integer NOT NULL,
  lifecycle_version  integer NOT NULL,
  type               text NOT NULL,
  urgency            text NOT NULL,
  channel            text NOT NULL,
  vip                boolean NOT NULL,
  status             text NOT NULL,
  outcome            text,
  received_at        timestamptz NOT NULL,
  closed_at          timestamptz,
  product_model      text NOT NULL,
  product_category   text NOT NULL,
  region             text NOT NULL,
  customer_key       text,
  technician_id      text,
  fixed_by           text,
  fixed_at           timestamptz,
  fault_cause        text,
  escalation_level   integer NOT NULL,
  visits             integer NOT NULL,
  first_time_fix     boolean,
  repeat_of          text,
  complaint_class    text,
  complaint_technician text,
  score              integer,
  charged_total      bigint NOT NULL DEFAULT 0,
  currency           text,
  record_complete    boolean,
  -- The request as the state query shows it (no customer data in it): the daily report is computed from it.
  state              jsonb NOT NULL,
  projected_at       timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE request_events (
  event_id       text PRIMARY KEY,
  request_id     text NOT NULL,
  at             timestamptz NOT NULL,
  kind           text NOT NULL,
  status         text,
  milestone      text,
  urgency        text,
  visit          integer,
  technician_id  text,
  level          integer,
  reason         text,
  late_by_ms     bigint,
  duration_ms    bigint,
  amount         bigint,
  currency       text,
  part_number    text,
  quantity       integer,
  ok             boolean,
  detail         text
);
CREATE INDEX request_events_request ON request_events (request_id);
CREATE INDEX request_events_kind_at ON request_events (kind, at);
CREATE INDEX requests_received_at ON requests (received_at);
CREATE INDEX requests_closed_at ON requests (closed_at);
CREATE INDEX requests_fixed_by ON requests (fixed_by);
`,
  },
  {
    version: 2,
    name: 'report indexes',
    // The reports' lookups (BENCHMARKS.md, "(f) Reports on the reporting database"): the requests a repeat repair
    // names (first-time fix, the appraisal's repeat repairs), and dispatch's ratings (a technician's closed, scored
    // requests, answered from the index alone). A period's events are read per request through
    // request_events_request (migration 1); a (request_id, kind) index was tried and not chosen by the planner.
    sql: `
CREATE INDEX requests_repeat_of ON requests (repeat_of) WHERE repeat_of IS NOT NULL;
CREATE INDEX requests_technician_scored ON requests (technician_id) INCLUDE (score) WHERE closed_at IS NOT NULL AND score IS NOT NULL;
`,
  },
];
