/**
 * Request vocabulary shared by API, workflow and activities. Workflow-safe: no I/O, no Node built-ins.
 */
export const REQUEST_TYPES = ['repair', 'installation', 'maintenance', 'return', 'exchange', 'consultation', 'complaint'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const URGENCIES = ['normal', 'urgent', 'critical'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const CHANNELS = ['hotline', 'online', 'store', 'app'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The visit's photo evidence: the kinds the completion photo check requires (docs/lifecycle.md, Photo evidence). */
export const PHOTO_KINDS = ['before', 'after', 'signature'] as const;
export type PhotoKind = (typeof PHOTO_KINDS)[number];

/**
 * What the upload route and storage take: the visit's photos, plus (lifecycle 4) `invoice` (购买发票), the purchase
 * invoice as proof for the warranty. Not a photo the completion check requires: that stays PHOTO_KINDS.
 */
export const UPLOAD_KINDS = [...PHOTO_KINDS, 'invoice'] as const;
export type UploadKind = (typeof UPLOAD_KINDS)[number];

/** Lifecycle states (docs/lifecycle.md, Statuses). */
export const STATUSES = [
  'received',
  'first_line',
  'dispatching',
  'assigned',
  'accepted',
  'scheduled',
  'on_site',
  'on_hold',
  // Lifecycle 4: a chargeable repair's quote awaits the customer; the repair waits for spare parts.
  'quote_pending',
  'waiting_parts',
  // Lifecycle 5, returns and exchanges (退换货): the product is inspected, a supervisor approves the outcome, the
  // refund or the replacement (and its price difference) is settled.
  'inspection',
  'approval',
  'settlement',
  // Lifecycle 5: a complaint's own process after registration (analyse → solution → implement → feedback).
  'analysis',
  'solution',
  'implementation',
  'complaint_feedback',
  'completed',
  'escalated',
  'follow_up',
  'closed',
  'cancelled',
] as const;
export type Status = (typeof STATUSES)[number];

/** Deadlines the workflow enforces (docs/lifecycle.md, Deadlines). */
export const MILESTONES = [
  'acknowledge',
  'dispatch',
  'accept',
  'response',
  'on_site',
  'resolution',
  'resolution_max',
  'photos',
  'follow_up',
  'appointment',
  'callback',
  // Lifecycle 4: the customer's decision on a quote; spare parts by their expected date.
  'quote',
  'parts',
  // Lifecycle 5, returns and exchanges: inspection recorded, the supervisor's approval, the settlement.
  'return_inspection',
  'return_approval',
  'return_settlement',
  // Lifecycle 5: each step of a complaint's process has its deadline.
  'complaint_analysis',
  'complaint_solution',
  'complaint_implementation',
  'complaint_feedback',
] as const;
export type Milestone = (typeof MILESTONES)[number];

export interface GeoPoint {
  lat: number;
  lng: number;
}

export interface Customer {
  name: string;
  /** E.164, normalised by the API. */
  phone: string;
  address: string;
  /** BCP-47-ish language for messages: 'zh' (default) or 'en'. */
  language?: 'zh' | 'en';
}

export interface Product {
  model: string;
  /** YYYY-MM-DD */
  purchaseDate: string;
  /** Product category, drives required skills (e.g. gas_water_heater, air_conditioner). */
  category: string;
  serialNumber?: string;
  /** Extended warranty bought at sale (its certificate number): adds the category's extended months (lifecycle 4). */
  extendedWarrantyNumber?: string;
  /**
   * YYYY-MM-DD the product was delivered (签收), when it was not the purchase date: the return and exchange windows
   * count from it where the policy says so (lifecycle 5, `returns`).
   */
  deliveryDate?: string;
}

export interface Problem {
  /** What is wrong, specifically. */
  description: string;
  /** When it happens (e.g. "on start-up", "after 10 minutes of heating"). */
  occursWhen?: string;
  /** What accompanies it (noise, smell, error code …). */
  symptoms?: string;
}

/** What a caller submits; the API validates and normalises it before a workflow starts. */
export interface ServiceRequestInput {
  type: RequestType;
  urgency: Urgency;
  channel: Channel;
  customer: Customer;
  product: Product;
  problem: Problem;
  vip?: boolean;
  location?: GeoPoint;
  externalId?: string;
  /** Lifecycle 5, complaints only: its class and the earlier request it is about (src/domain/complaints.ts). */
  complaint?: ComplaintIntake;
}

/** A complaint's classification (投诉分类): product quality, service attitude, timeliness, charges, other. */
export const COMPLAINT_CLASSES = ['product_quality', 'service_attitude', 'timeliness', 'charges', 'other'] as const;
export type ComplaintClass = (typeof COMPLAINT_CLASSES)[number];

export interface ComplaintIntake {
  classification: ComplaintClass;
  /** The earlier request it is about: its request id (`sr-…`) or ticket number, as the caller sent it. */
  relatesTo?: string;
}

export type EscalationLevel = 0 | 1 | 2 | 3;
