/**
 * Photo evidence (docs/api.md, Upload photos): multipart upload by the assigned technician, fields `kind` and `file`
 * in either order, while a visit is under way or just done; on lifecycle 4 also the purchase invoice (`invoice`,
 * proof for the warranty) while the request is open, by the technician or the integration that started it. The
 * file streams to storage's staging area through the whole-file image check (the declared type, and that type's
 * complete structure) within the size limit and the request's quota; once the whole body is in, it is filed under
 * its kind and the workflow is told — if that fails, the stored photo is removed again. Re-uploading identical
 * bytes lands on the same key.
 */
import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifySchemaCompiler } from 'fastify';
import { Type } from 'typebox';
import { buildKey, normaliseContentType } from '../../adapters/storage/keys';
import {
  InvalidPhotoPathError,
  PhotoTooLargeError,
  type PhotoStorage,
  type StagedPhoto,
  type StoredPhoto,
} from '../../adapters/storage/types';
import { ImageFileCheck, type ImageType } from '../../domain/imageCheck';
import { STATUSES, UPLOAD_KINDS, type Status, type UploadKind } from '../../domain/types';
import type { Role } from '../../tokens';
import type { ServiceRequestState } from '../../../workflows/messages';
import { ApiError, badRequest, forbidden, type FieldProblem } from '../errors';
import { principalOf } from '../plugins/auth';
import { closeIfBodyPending } from '../plugins/security';
import { UnavailableError } from '../port';
import { COMMON_ERRORS, errorResponses, PATH_PARAM_ERRORS, RequestIdParams, StringEnum } from '../schemas/common';

export const DEFAULT_PHOTO_MAX_BYTES = 10 * 1024 * 1024;
/** Per-request quota (PHOTO_MAX_PER_REQUEST, PHOTO_MAX_MB_PER_REQUEST): a visit's photos several times over. */
export const DEFAULT_PHOTO_MAX_PER_REQUEST = 30;
export const DEFAULT_PHOTO_MAX_BYTES_PER_REQUEST = 60 * 1024 * 1024;

/**
 * Where a request takes photos: from the technician's acceptance through the visit (and a hold), and once completed
 * while the photo check and its re-checks still run — `completed`, and `follow_up` until the request closes
 * (workflows/lifecycle/aftercare.ts). Not before acceptance (`escalated` is the moment before re-dispatch), not once
 * closed or cancelled: those photos would be files nobody checks.
 */
export const PHOTO_STATUSES: readonly Status[] = [
  'accepted',
  'scheduled',
  'on_site',
  'on_hold',
  // Lifecycle 4: the technician is on site while the customer decides on a quote; a repair waiting for parts has begun.
  'quote_pending',
  'waiting_parts',
  'completed',
  'follow_up',
];

/**
 * Where a request takes the purchase invoice (lifecycle 4): every open status from `received` on — the customer
 * or the CRM may send it at intake, the technician on site — but not once closed or cancelled.
 */
export const INVOICE_STATUSES: readonly Status[] = STATUSES.filter((s) => s !== 'closed' && s !== 'cancelled');
/** The lifecycle that records an invoice as the warranty's proof. */
export const INVOICE_SINCE = 4;

/**
 * What each role may upload: the assigned technician every kind; an integration (the CRM, at intake) only the
 * invoice of a request it started — the visit's photos are the technician's evidence.
 */
const KINDS_BY_ROLE: Partial<Record<Role, readonly UploadKind[]>> = { technician: UPLOAD_KINDS, integration: ['invoice'] };

const DECLARED: Record<string, ImageType> = {
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/pjpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/heic': 'heic',
  'image/heif': 'heic',
};

const PhotoResponse = Type.Object({
  key: Type.String(),
  kind: StringEnum(UPLOAD_KINDS),
  size: Type.Integer(),
  sha256: Type.String(),
  contentType: Type.String(),
  storedAt: Type.String(),
});

/** Documented for OpenAPI; the multipart stream is checked in the handler, not by the JSON validator. */
const MultipartDoc = Type.Object({
  kind: StringEnum(UPLOAD_KINDS, { description: 'Before or after the file; invoice: proof of purchase (lifecycle 4)' }),
  file: Type.String({ format: 'binary', description: 'JPEG, PNG, WebP or HEIC' }),
});

export interface PhotoRouteOptions {
  maxBytes: number;
  /** Photos one request may hold, and their total bytes. */
  maxPerRequest: number;
  maxBytesPerRequest: number;
  /** Validator for params/headers; the body is multipart and skips JSON validation. */
  validatorCompiler: FastifySchemaCompiler<unknown>;
}

export const photoRoutes: FastifyPluginAsyncTypebox<PhotoRouteOptions> = async (app, opts) => {
  const { requests, storage, now } = app.services;
  // One byte over the limit reaches storage, which refuses it (413); busboy would only cut the file short.
  await app.register(multipart, {
    limits: { fileSize: opts.maxBytes + 1, files: 1, fields: 4, parts: 6, fieldSize: 1024, headerPairs: 50 },
  });
  const exclusive = perKeyQueue();

  app.post(
    '/v1/service-requests/:id/photos',
    {
      config: { auth: { roles: ['technician', 'integration'], technicianOwn: true } },
      validatorCompiler: (ctx) => (ctx.httpPart === 'body' ? () => true : opts.validatorCompiler(ctx)),
      schema: {
        summary: 'Upload a photo: before, after, the signed service report, or the purchase invoice',
        description:
          `multipart/form-data with the fields \`kind\` and \`file\`, in either order (≤ ${Math.round(opts.maxBytes / 1048576)} MB; ` +
          `at most ${opts.maxPerRequest} photos and ${Math.round(opts.maxBytesPerRequest / 1048576)} MB per request). ` +
          `Before, after, signature: assigned technician only, from acceptance until the request closes. ` +
          `Invoice (proof of purchase, lifecycle ${INVOICE_SINCE}): the assigned technician or the integration that started the request, ` +
          `from receipt until it closes.`,
        tags: ['photos'],
        security: [{ bearer: [] }],
        consumes: ['multipart/form-data'],
        params: RequestIdParams,
        body: MultipartDoc,
        response: { 201: PhotoResponse, ...errorResponses(...COMMON_ERRORS, ...PATH_PARAM_ERRORS, 404, 409, 413, 415) },
      },
    },
    async (req, reply) => {
      const { id } = req.params;
      const { role } = principalOf(req);
      // Before a byte of the body is read: multipart, the request's status, room in its quota.
      let room: Room;
      let state: ServiceRequestState;
      try {
        if (!req.isMultipart()) throw new ApiError(415, 'unsupported_media_type', 'send multipart/form-data with fields kind and file');
        state = await requests.get(id);
        refuseUnlessAnyKind(state, role);
        room = roomLeft(await listStored(storage, id, req.log), opts);
        if (room.photos < 1 || room.bytes < 1) throw quotaExceeded(room.stored, opts);
      } catch (e) {
        closeIfBodyPending(req, reply);
        throw e;
      }

      // The whole body, so `kind` counts wherever it comes; the file streams through the image check to staging.
      const kinds: string[] = [];
      let upload: { staged: StagedPhoto; mimetype: string } | undefined;
      try {
        for await (const part of req.parts()) {
          if (part.type === 'field') {
            if (part.fieldname === 'kind') kinds.push(String(part.value));
            continue;
          }
          try {
            const staged = await stageFile(storage, id, part, Math.min(room.bytes, opts.maxBytes), opts.maxBytes);
            upload = { staged, mimetype: part.mimetype };
          } catch (e) {
            throw new StagingFailed(mapStagingError(e, room, opts, req.log));
          }
        }
      } catch (e) {
        closeIfBodyPending(req, reply);
        await upload?.staged.discard();
        if (e instanceof StagingFailed) throw e.cause;
        // The multipart parser's own errors: its limits (the error plugin maps them), or a malformed body.
        if (e instanceof Error && 'statusCode' in e) throw e;
        throw badRequest([
          { path: 'body', message: `is not a readable multipart/form-data body (${String((e as Error).message).slice(0, 100)})` },
        ]);
      }

      const problems: FieldProblem[] = [];
      const kind = kinds[0];
      if (kind === undefined || !(UPLOAD_KINDS as readonly string[]).includes(kind))
        problems.push({ path: 'kind', message: `must be one of: ${UPLOAD_KINDS.join(', ')}` });
      else if (kinds.some((k) => k !== kind)) problems.push({ path: 'kind', message: 'was sent more than once, with different values' });
      if (!upload) problems.push({ path: 'file', message: 'is required' });
      if (problems.length || !upload) {
        await upload?.staged.discard();
        throw badRequest(problems);
      }
      const { staged, mimetype } = upload;
      // Now the kind is known: whether this caller may upload it to this request as it stood.
      const refused = kindRefusal(kind as UploadKind, state, role);
      if (refused) {
        await staged.discard();
        throw refused;
      }

      // Filed and told in one step, one upload of this request at a time (the quota holds against concurrent uploads).
      return exclusive(id, async () => {
        try {
          const key = buildKey(id, kind as UploadKind, staged.sha256, normaliseContentType(mimetype).ext);
          const current = await listStored(storage, id, req.log);
          if (!current.some((p) => p.key === key)) {
            const left = roomLeft(current, opts);
            if (left.photos < 1 || staged.size > left.bytes) throw quotaExceeded(current, opts);
          }
          let stored: StoredPhoto & { created: boolean };
          try {
            stored = await staged.commit(kind as UploadKind, mimetype);
          } catch (e) {
            throw storageError(e, req.log);
          }
          try {
            await requests.signalPhoto(id, { kind: kind as UploadKind, key: stored.key, at: new Date(now()).toISOString() });
          } catch (e) {
            // The workflow does not know this photo: no file may stay behind (unless it was there before, announced).
            if (stored.created) {
              await storage.delete(id, stored.key).catch((err: unknown) => {
                req.log.error({ err, requestId: id, key: stored.key }, 'photo not announced and not removed: orphan file');
              });
            }
            throw e;
          }
          req.log.info({ requestId: id, kind, key: stored.key, size: stored.size, created: stored.created }, 'photo stored');
          return reply.code(201).send({
            key: stored.key,
            kind: kind as UploadKind,
            size: stored.size,
            sha256: stored.sha256,
            contentType: stored.contentType,
            storedAt: stored.storedAt,
          });
        } finally {
          await staged.discard();
        }
      });
    },
  );
};

/** What the request may still take: photos and bytes. */
interface Room {
  photos: number;
  bytes: number;
  stored: StoredPhoto[];
}

function roomLeft(stored: StoredPhoto[], opts: PhotoRouteOptions): Room {
  const bytes = stored.reduce((sum, p) => sum + p.size, 0);
  return { photos: opts.maxPerRequest - stored.length, bytes: Math.max(0, opts.maxBytesPerRequest - bytes), stored };
}

/**
 * Before the body is read: refused when no kind this caller may upload is taken by the request as it stands.
 * The answer is the first such kind's (a technician's visit photos first: the answer they always had).
 */
function refuseUnlessAnyKind(state: ServiceRequestState, role: Role): void {
  const refusals = (KINDS_BY_ROLE[role] ?? []).map((kind) => kindRefusal(kind, state, role));
  if (refusals.every((r) => r !== undefined)) throw refusals[0] ?? forbidden(`role ${role} may not upload photos`);
}

/** Why this caller may not upload `kind` to the request as it stands, or undefined when it may. */
function kindRefusal(kind: UploadKind, state: ServiceRequestState, role: Role): ApiError | undefined {
  const allowed = KINDS_BY_ROLE[role] ?? [];
  if (!allowed.includes(kind)) return forbidden(`role ${role} may upload only kind ${allowed.join(', ')}, not ${kind}`, 'kind');
  const { status } = state;
  if (kind === 'invoice') {
    const version = state.lifecycleVersion ?? 1;
    if (version < INVOICE_SINCE) {
      const message = `kind invoice: this request runs lifecycle version ${version}, which records no proof of purchase (from version ${INVOICE_SINCE})`;
      return new ApiError(409, 'invalid_transition', message, [{ path: 'kind', message }]);
    }
    if (INVOICE_STATUSES.includes(status)) return undefined;
    const message = `cannot upload an invoice to a request that is ${status}: it takes no more photos`;
    return new ApiError(409, 'invalid_transition', message, [{ path: 'status', message }]);
  }
  if (PHOTO_STATUSES.includes(status)) return undefined;
  const why =
    status === 'closed' || status === 'cancelled'
      ? 'it takes no more photos'
      : 'the technician has not accepted the job yet (photos are of the visit)';
  const message = `cannot upload photos to a request that is ${status}: ${why} (allowed when ${PHOTO_STATUSES.join(', ')})`;
  return new ApiError(409, 'invalid_transition', message, [{ path: 'status', message }]);
}

function quotaExceeded(stored: StoredPhoto[], opts: PhotoRouteOptions): ApiError {
  const mb = (n: number): string => `${Math.round((n / 1048576) * 10) / 10} MB`;
  const total = stored.reduce((sum, p) => sum + p.size, 0);
  const message =
    stored.length >= opts.maxPerRequest
      ? `this request already has ${stored.length} photos, the most one request may hold (${opts.maxPerRequest})`
      : `this photo would take the request's photos (${mb(total)} so far) over the ${mb(opts.maxBytesPerRequest)} one request may hold`;
  return new ApiError(409, 'quota_exceeded', message, [{ path: 'file', message }]);
}

async function listStored(storage: PhotoStorage, id: string, log: FastifyBaseLogger): Promise<StoredPhoto[]> {
  try {
    return await storage.list(id);
  } catch (e) {
    throw storageError(e, log);
  }
}

function storageError(e: unknown, log: FastifyBaseLogger): Error {
  if (e instanceof ApiError || e instanceof UnavailableError) return e;
  if (e instanceof InvalidPhotoPathError) return badRequest([{ path: 'params.id', message: e.message }]);
  log.error({ err: e }, 'photo storage failed');
  return new UnavailableError('photo storage is unavailable; retry later');
}

/** Carries the answer for a file that could not be staged out of the multipart loop. */
class StagingFailed extends Error {
  constructor(override readonly cause: unknown) {
    super('staging failed');
  }
}
/** The upload's bytes were refused on the way in; `file` is the field to name. */
class RefusedFile extends Error {}
/** The multipart body itself failed (cut off, malformed) while the file streamed. */
class BrokenBody extends Error {}

/**
 * Streams the file part to storage's staging area through the whole-file image check: the declared type must be
 * one we keep, the first bytes that type, and the whole file that type's complete structure. At most `limit` bytes.
 */
async function stageFile(storage: PhotoStorage, id: string, part: MultipartFile, limit: number, maxBytes: number): Promise<StagedPhoto> {
  if (part.fieldname !== 'file') {
    part.file.resume();
    throw badRequest([{ path: part.fieldname.slice(0, 50) || 'file', message: 'the file field must be called "file"' }]);
  }
  const declared = DECLARED[part.mimetype.toLowerCase()];
  if (!declared) {
    part.file.resume();
    throw new ApiError(415, 'unsupported_media_type', 'photos must be image/jpeg, image/png, image/webp or image/heic', [
      { path: 'file', message: `content type ${part.mimetype.slice(0, 100)} is not accepted` },
    ]);
  }
  const check = new ImageFileCheck();
  const judge = (type: ImageType | undefined): void => {
    if (type && type !== declared) throw new RefusedFile(`content is ${type}, but was declared ${part.mimetype.slice(0, 100)}`);
  };
  async function* checked(): AsyncGenerator<Buffer> {
    const source = part.file[Symbol.asyncIterator]();
    try {
      for (;;) {
        let next: IteratorResult<Buffer>;
        try {
          next = (await source.next()) as IteratorResult<Buffer>;
        } catch (e) {
          throw new BrokenBody((e as Error).message);
        }
        if (next.done) break;
        const refused = check.push(next.value);
        if (refused && !refused.ok) throw new RefusedFile(`is not a valid image: ${refused.reason}`);
        judge(check.type);
        yield next.value;
      }
    } finally {
      // Refused or failed midway: stop reading the rest (the answer closes the connection).
      if (!part.file.readableEnded) part.file.destroy();
    }
    if (part.file.truncated) throw new PhotoTooLargeError(maxBytes);
    const verdict = check.end();
    if (!verdict.ok) throw new RefusedFile(`is not a valid image: ${verdict.reason}`);
    judge(verdict.type);
  }
  return storage.stage(id, checked(), { maxBytes: limit });
}

function mapStagingError(e: unknown, room: Room, opts: PhotoRouteOptions, log: FastifyBaseLogger): unknown {
  if (e instanceof RefusedFile) return badRequest([{ path: 'file', message: e.message }]);
  if (e instanceof BrokenBody) return badRequest([{ path: 'file', message: `the upload broke off: ${e.message.slice(0, 100)}` }]);
  if (e instanceof PhotoTooLargeError) {
    if (e.maxBytes < opts.maxBytes) return quotaExceeded(room.stored, opts);
    return new ApiError(413, 'payload_too_large', `photo larger than ${Math.round(opts.maxBytes / 1048576)} MB`, [
      { path: 'file', message: `must be at most ${opts.maxBytes} bytes` },
    ]);
  }
  if (e instanceof ApiError) return e;
  return storageError(e, log);
}

/** Runs one task per key at a time, in arrival order. */
function perKeyQueue(): <T>(key: string, task: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return async (key, task) => {
    const before = tails.get(key) ?? Promise.resolve();
    const run = before.then(task, task);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
