/**
 * The policy file's schema (TypeBox): the shape, and every leaf checked with a message that shows the bad
 * value (durations, dates, zones, phones …). ./issues.ts turns its errors into one issue per field.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { DateTime } from 'luxon';
import { parseClock } from '../domain/calendar';
import { amountProblem, FAULT_CAUSES } from '../domain/charges';
import { parseSpan, spanProblem } from '../domain/duration';
import { expandDates, parseFraction, show, weekdayNumber, type PolicyFile } from '../domain/policy';
import { REQUEST_TYPES, type RequestType } from '../domain/types';

// ---------------------------------------------------------------------------------------------------------
// Leaf checks (the resolution parses with the same functions, so both passes agree)

function durationProblem(v: unknown): string | undefined {
  const problem = spanProblem(v);
  if (problem) return problem;
  return parseSpan(v as string | number).ms > 0 ? undefined : `${show(v)} must be longer than zero`;
}

const isZone = (z: string): boolean => typeof z === 'string' && z.length > 0 && DateTime.fromMillis(0, { zone: z }).isValid;

const isClock = (s: string): boolean => {
  if (typeof s !== 'string') return false;
  try {
    parseClock(s);
    return true;
  } catch {
    return false;
  }
};

// ---------------------------------------------------------------------------------------------------------
// Schema of the file

const Duration = Type.Refine(
  Type.Union([Type.String(), Type.Number()], {
    description: 'A duration: "45s", "10m", "2h", "1h30m", "3 days", "2 business days", or a number of seconds.',
    errorMessage: 'must be a duration (e.g. "2h", "2 business days", or seconds)',
  }),
  (v) => durationProblem(v) === undefined,
  (v) => durationProblem(v) ?? `${show(v)} is not a duration`,
);

const ByUrgency = Type.Object(
  { normal: Duration, urgent: Duration, critical: Duration },
  { additionalProperties: false, description: 'One duration per urgency column (normal, urgent, critical).' },
);

const Deadline = Type.Union([Duration, ByUrgency], {
  description: 'One duration for every urgency, or { normal, urgent, critical }.',
  errorMessage: 'must be a duration or { normal, urgent, critical }',
});

const Fraction = Type.Refine(
  Type.Union([Type.Number(), Type.String()], { errorMessage: 'must be a fraction 0..1 or a percentage like "80%"' }),
  (v) => parseFraction(v) !== undefined,
  (v) => `${show(v)} is not a fraction between 0 and 1 (or a percentage like "80%")`,
);

const Clock = Type.Refine(Type.String(), isClock, (v) => `${show(v)} is not a time of day (HH:mm, 00:00–24:00)`);

const Weekday = Type.Refine(
  Type.String(),
  (v) => typeof v === 'string' && weekdayNumber(v) !== undefined,
  (v) => `${show(v)} is not a weekday (mon, tue, wed, thu, fri, sat, sun)`,
);

const DateOrRange = Type.Refine(
  Type.String({ description: 'A local date YYYY-MM-DD, or an inclusive range YYYY-MM-DD..YYYY-MM-DD.' }),
  (v) => typeof v === 'string' && expandDates(v) !== undefined,
  (v) => `${show(v)} is not a date (YYYY-MM-DD) or range (YYYY-MM-DD..YYYY-MM-DD)`,
);

const TimeZone = Type.Refine(Type.String(), isZone, (v) => `${show(v)} is not an IANA time zone (e.g. Asia/Shanghai)`);

const Phone = Type.Refine(
  Type.String(),
  (v) => typeof v === 'string' && /^\+[1-9]\d{6,14}$/.test(v),
  (v) => `${show(v)} is not an international phone number (E.164, e.g. "+8613800138000")`,
);

const HttpUrl = Type.Refine(
  Type.String(),
  (v) => typeof v === 'string' && /^https?:\/\/[^\s/]+(\/\S*)?$/.test(v),
  (v) => `${show(v)} is not an http(s) URL`,
);

const SkillList = Type.Array(
  Type.Refine(
    Type.String(),
    (v) => typeof v === 'string' && /^[a-z][a-z0-9_]*$/i.test(v),
    (v) => `${show(v)} is not a skill name (letters, digits, _)`,
  ),
);

/** An amount in the smallest currency unit (fen for CNY): an integer ≥ 0, never a float. Also the catalogue's prices. */
export const Amount = Type.Refine(
  Type.Number({ description: 'An amount in fen (the smallest currency unit): an integer ≥ 0, e.g. 5000 for 50.00 CNY.' }),
  (v) => amountProblem(v) === undefined,
  (v) => amountProblem(v) ?? `${show(v)} is not an amount`,
);

/** ISO 4217 code (the policy's `charges.currency`, the price list's `currency`). */
export const Currency = Type.Refine(
  Type.String(),
  (v) => typeof v === 'string' && /^[A-Z]{3}$/.test(v),
  (v) => `${show(v)} is not a currency code (ISO 4217: 3 capital letters, e.g. "CNY")`,
);

const Months = Type.Integer({ minimum: 0, maximum: 240, description: 'Whole calendar months, 0–240.' });

const typeKeyed = <T extends TSchema>(schema: T) =>
  Type.Object(
    Object.fromEntries(REQUEST_TYPES.map((t) => [t, Type.Optional(schema)])) as Record<RequestType, ReturnType<typeof Type.Optional<T>>>,
    { additionalProperties: false },
  );

const Text = Type.String({ minLength: 1 });

/** The parts warehouse's contact: the fields of an escalation contact, checked the same way (no level). */
const WarehouseContact = Type.Object(
  { role: Text, name: Text, phone: Phone, webhookUrl: Type.Optional(HttpUrl) },
  { additionalProperties: false },
);

/** Warranty terms; a field left out comes from `warranty.default` (for `default` itself: the built-in defaults). */
const WarrantyTerms = Type.Object(
  { months: Type.Optional(Months), extendedMonths: Type.Optional(Months), covers: Type.Optional(Type.Array(Text)) },
  { additionalProperties: false },
);

const Days = Type.Integer({ minimum: 0, maximum: 3650, description: 'Whole days, 0–3650.' });

/** Return and exchange windows; a field left out comes from `returns.default` (for `default` itself: the built-in defaults). */
const ReturnTerms = Type.Object(
  {
    returnDays: Type.Optional(Days),
    exchangeDays: Type.Optional(Days),
    noReasonDays: Type.Optional(Days),
    countFrom: Type.Optional(Type.Enum(['purchase', 'delivery'])),
  },
  { additionalProperties: false },
);

/** One step of a return: its deadline and the escalation level its breach pages. */
const ReturnStep = Type.Object(
  { within: Type.Optional(Duration), escalateTo: Type.Optional(Type.Enum([1, 2, 3])) },
  { additionalProperties: false },
);

export const PolicyFileSchema = Type.Object(
  {
    version: Type.String({ minLength: 1, description: 'Policy version; a running request keeps the version it started with.' }),
    language: Type.Optional(Type.Enum(['zh', 'en'], { description: 'Default language of customer messages.' })),
    warningAt: Type.Optional(Fraction),
    publicBaseUrl: Type.Optional(HttpUrl),
    calendar: Type.Object(
      {
        allHours: Type.Optional(Type.Boolean({ description: 'true: 24×7, business time == elapsed time.' })),
        timeZone: Type.Optional(TimeZone),
        workingHours: Type.Optional(Type.Object({ start: Clock, end: Clock }, { additionalProperties: false })),
        workingDays: Type.Optional(Type.Array(Weekday, { minItems: 1 })),
        holidays: Type.Optional(Type.Array(DateOrRange)),
        extraWorkingDays: Type.Optional(Type.Array(DateOrRange)),
      },
      { additionalProperties: false },
    ),
    deadlines: Type.Object(
      {
        acknowledge: Deadline,
        dispatch: Deadline,
        accept: Deadline,
        response: Deadline,
        onSite: Deadline,
        resolution: Deadline,
        photos: Deadline,
        followUp: Deadline,
      },
      { additionalProperties: false },
    ),
    typeOverrides: Type.Optional(
      typeKeyed(
        Type.Object(
          {
            response: Type.Optional(Duration),
            onSite: Type.Optional(Duration),
            resolution: Type.Optional(Duration),
            resolutionMax: Type.Optional(Duration),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    callbackDelay: Duration,
    feedbackWindow: Type.Optional(Duration),
    smsRetryBudget: Type.Optional(Duration),
    followUpThreshold: Type.Optional(Type.Integer({ minimum: 0, maximum: 5 })),
    vipStricterDispatch: Type.Optional(Type.Boolean()),
    escalation: Type.Array(
      Type.Object(
        {
          level: Type.Enum([1, 2, 3]),
          role: Text,
          name: Text,
          phone: Phone,
          webhookUrl: Type.Optional(HttpUrl),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
    appointments: Type.Optional(
      Type.Object(
        { reminderLead: Type.Optional(Duration), lateGrace: Type.Optional(Duration) },
        { additionalProperties: false, description: 'Booked visits (lifecycle 3): reminder lead and late-arrival grace.' },
      ),
    ),
    callback: Type.Optional(
      Type.Object(
        {
          earliest: Type.Optional(Duration),
          latest: Type.Optional(Duration),
          maxAttempts: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        { additionalProperties: false, description: 'The satisfaction call-back window after completion (lifecycle 3).' },
      ),
    ),
    warranty: Type.Optional(
      Type.Object(
        {
          categories: Type.Optional(Type.Record(Type.String(), WarrantyTerms)),
          default: Type.Optional(WarrantyTerms),
          notCovered: Type.Optional(Type.Array(Type.Enum([...FAULT_CAUSES]))),
        },
        { additionalProperties: false, description: 'Warranty cover per product category and causes not covered (lifecycle 4).' },
      ),
    ),
    charges: Type.Optional(
      Type.Object(
        { currency: Type.Optional(Currency), visitFee: Type.Optional(Amount) },
        { additionalProperties: false, description: 'Currency and visit fee of chargeable repairs (lifecycle 4).' },
      ),
    ),
    quotes: Type.Optional(
      Type.Object(
        {
          expiry: Type.Optional(Duration),
          reminderAfter: Type.Optional(Duration),
          onExpiry: Type.Optional(Type.Enum(['escalate', 'close'])),
        },
        { additionalProperties: false, description: "The customer's decision on a quote (lifecycle 4)." },
      ),
    ),
    parts: Type.Optional(
      Type.Object(
        {
          pauseResolution: Type.Optional(Type.Boolean()),
          warehouse: Type.Optional(WarehouseContact),
        },
        { additionalProperties: false, description: 'Waiting for spare parts (lifecycle 4).' },
      ),
    ),
    serviceReport: Type.Optional(
      Type.Object(
        { linkValidity: Type.Optional(Duration) },
        { additionalProperties: false, description: "The customer's link to the service report (lifecycle 4)." },
      ),
    ),
    statusLink: Type.Optional(
      Type.Object(
        { validity: Type.Optional(Duration) },
        { additionalProperties: false, description: "The customer's status page link in the receipt SMS." },
      ),
    ),
    hotline: Type.Optional(
      Type.String({
        pattern: '^\\+?[0-9][0-9 ()-]{2,30}$',
        description: 'The service hotline shown on the customer pages, e.g. "400-800-1234".',
        errorMessage: 'must be a telephone number (digits, spaces, "-", "(", ")", an optional leading "+"), e.g. "400-800-1234"',
      }),
    ),
    repeatRepair: Type.Optional(
      Type.Object(
        { window: Type.Optional(Duration) },
        { additionalProperties: false, description: 'Repeat repairs of the same customer and product (lifecycle 5).' },
      ),
    ),
    returns: Type.Optional(
      Type.Object(
        {
          default: Type.Optional(ReturnTerms),
          categories: Type.Optional(Type.Record(Type.String(), ReturnTerms)),
          notCovered: Type.Optional(Type.Array(Type.Enum([...FAULT_CAUSES]))),
          inspection: Type.Optional(ReturnStep),
          approval: Type.Optional(ReturnStep),
          settlement: Type.Optional(ReturnStep),
        },
        { additionalProperties: false, description: 'Returns and exchanges under 三包 (lifecycle 5).' },
      ),
    ),
    complaints: Type.Optional(
      Type.Object(
        {
          repeatWindow: Type.Optional(Duration),
          deadlines: Type.Optional(
            Type.Object(
              {
                analysis: Type.Optional(Duration),
                solution: Type.Optional(Duration),
                implementation: Type.Optional(Duration),
                feedback: Type.Optional(Duration),
              },
              { additionalProperties: false, description: "Each step's deadline, from the step's start." },
            ),
          ),
        },
        { additionalProperties: false, description: 'Complaints with a process (lifecycle 5).' },
      ),
    ),
    dispatch: Type.Object(
      {
        radiusKm: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
        preferredRating: Type.Optional(Fraction),
        maxCandidates: Type.Optional(Type.Integer({ minimum: 1 })),
        skillsByCategory: Type.Optional(Type.Record(Type.String(), SkillList)),
        skillsByType: Type.Optional(typeKeyed(SkillList)),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/**
 * A document the schema accepted. It must be the domain's `PolicyFile` (what the resolution reads): if the
 * schema and that type drift apart, this line stops compiling.
 */
export type ValidPolicyFile = Conforms<Static<typeof PolicyFileSchema>>;
type Conforms<T extends PolicyFile> = T;
