/**
 * Photo evidence (docs/api.md, Upload photos): multipart upload by the assigned technician, fields `kind` then `file`. The
 * declared type must be an image type we keep and the bytes must be that image (magic bytes); then the photo
 * goes to storage and the workflow is signalled. Re-uploading identical bytes lands on the same key.
 */
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifySchemaCompiler } from 'fastify';
import { Type } from 'typebox';
import { InvalidPhotoPathError, PhotoTooLargeError, type StoredPhoto } from '../../adapters/storage/types';
import { checkImage, type ImageType } from '../../domain/imageCheck';
import { PHOTO_KINDS, type PhotoKind } from '../../domain/types';
import { ApiError, badRequest } from '../errors';
import { UnavailableError } from '../port';
import { COMMON_ERRORS, errorResponses, RequestIdParams, StringEnum } from '../schemas/common';

export const DEFAULT_PHOTO_MAX_BYTES = 10 * 1024 * 1024;

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
  kind: StringEnum(PHOTO_KINDS),
  size: Type.Integer(),
  sha256: Type.String(),
  contentType: Type.String(),
  storedAt: Type.String(),
});

/** Documented for OpenAPI; the multipart stream is checked in the handler, not by the JSON validator. */
const MultipartDoc = Type.Object({
  kind: StringEnum(PHOTO_KINDS, { description: 'Send before the file' }),
  file: Type.String({ format: 'binary', description: 'JPEG, PNG, WebP or HEIC' }),
});

export interface PhotoRouteOptions {
  maxBytes: number;
  /** Validator for params/headers; the body is multipart and skips JSON validation. */
  validatorCompiler: FastifySchemaCompiler<unknown>;
}

export const photoRoutes: FastifyPluginAsyncTypebox<PhotoRouteOptions> = async (app, opts) => {
  const { requests, storage, now } = app.services;
  await app.register(multipart, {
    limits: { fileSize: opts.maxBytes, files: 1, fields: 4, parts: 6, fieldSize: 1024, headerPairs: 50 },
  });

  app.post(
    '/v1/service-requests/:id/photos',
    {
      config: { auth: { roles: ['technician'], technicianOwn: true } },
      validatorCompiler: (ctx) => (ctx.httpPart === 'body' ? () => true : opts.validatorCompiler(ctx)),
      schema: {
        summary: 'Upload a photo: before, after, or the signed service report',
        description: `multipart/form-data with the field \`kind\` first, then \`file\` (≤ ${Math.round(opts.maxBytes / 1048576)} MB). Assigned technician only.`,
        tags: ['photos'],
        security: [{ bearer: [] }],
        consumes: ['multipart/form-data'],
        params: RequestIdParams,
        body: MultipartDoc,
        response: { 201: PhotoResponse, ...errorResponses(...COMMON_ERRORS, 404, 413, 415) },
      },
    },
    async (req, reply) => {
      const { id } = req.params;
      if (!req.isMultipart()) throw new ApiError(415, 'unsupported_media_type', 'send multipart/form-data with fields kind and file');
      const part = await req.file();
      if (!part) throw badRequest([{ path: 'file', message: 'is required' }]);
      const kindField = part.fields.kind;
      const kindValue = kindField && !Array.isArray(kindField) && kindField.type === 'field' ? kindField.value : undefined;
      const problems = [];
      if (part.fieldname !== 'file')
        problems.push({ path: part.fieldname.slice(0, 50) || 'file', message: 'the file field must be called "file"' });
      if (typeof kindValue !== 'string' || !(PHOTO_KINDS as readonly string[]).includes(kindValue)) {
        problems.push({ path: 'kind', message: `must be one of: ${PHOTO_KINDS.join(', ')} (sent before the file)` });
      }
      const declared = DECLARED[part.mimetype.toLowerCase()];
      if (!declared) {
        part.file.resume();
        throw new ApiError(415, 'unsupported_media_type', 'photos must be image/jpeg, image/png, image/webp or image/heic', [
          { path: 'file', message: `content type ${part.mimetype.slice(0, 100)} is not accepted` },
        ]);
      }
      if (problems.length) {
        part.file.resume();
        throw badRequest(problems);
      }
      const bytes = await part.toBuffer(); // RequestFileTooLargeError → 413
      const check = checkImage(bytes);
      if (!check.ok) throw badRequest([{ path: 'file', message: `is not a valid image: ${check.reason}` }]);
      if (check.type !== declared)
        throw badRequest([{ path: 'file', message: `content is ${check.type}, but was declared ${part.mimetype}` }]);
      const kind = kindValue as PhotoKind;

      let stored: StoredPhoto;
      try {
        stored = await storage.put(id, kind, bytes, part.mimetype);
      } catch (e) {
        if (e instanceof PhotoTooLargeError) throw new ApiError(413, 'payload_too_large', e.message);
        if (e instanceof InvalidPhotoPathError) throw badRequest([{ path: 'params.id', message: e.message }]);
        req.log.error({ err: e }, 'photo storage failed');
        throw new UnavailableError('photo storage is unavailable; retry later');
      }
      await requests.signalPhoto(id, { kind, key: stored.key, at: new Date(now()).toISOString() });
      req.log.info({ requestId: id, kind, key: stored.key, size: stored.size }, 'photo stored');
      return reply.code(201).send({
        key: stored.key,
        kind,
        size: stored.size,
        sha256: stored.sha256,
        contentType: stored.contentType,
        storedAt: stored.storedAt,
      });
    },
  );
};
