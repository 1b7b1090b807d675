/**
 * What the lifecycle action route tests share: requests seeded into the fake port (each test its own id), an action
 * posted as a role, and the updates that reached the port for a request.
 */
import type { LightMyRequestResponse } from 'fastify';
import type { ApiServer } from '../../src/api/server';
import type { Status } from '../../src/domain/types';
import type { ServiceRequestState } from '../../workflows/messages';
import type { FakePort } from './fakePort';
import { bearer } from './support';

export interface ActionApp {
  app: ApiServer;
  port: FakePort;
}

export interface ActionRoutes {
  /** A fresh request in `status`, with the suite's defaults and `more` over them. */
  seed(status: Status, more?: Partial<ServiceRequestState>): string;
  post(id: string, path: string, token: string, body: unknown, app?: ApiServer): Promise<LightMyRequestResponse>;
  updatesTo(id: string, port?: FakePort): FakePort['calls'];
  lastUpdate(id: string): { action: string; args: Record<string, unknown> } | undefined;
}

/** `app()` is read at each call: suites build their app in beforeAll. Ids are `<prefix>-1`, `<prefix>-2` … */
export function actionRoutes(app: () => ActionApp, prefix: string, defaults: Partial<ServiceRequestState> = {}): ActionRoutes {
  let n = 0;
  const updatesTo = (id: string, port = app().port) => port.calls.filter((c) => c.method === 'update' && c.id === id);
  return {
    seed(status, more = {}) {
      const requestId = `${prefix}-${++n}`;
      app().port.seed({ requestId, status, ...defaults, ...more });
      return requestId;
    },
    post: (id, path, token, body, server = app().app) =>
      server.inject({ method: 'POST', url: `/v1/service-requests/${id}/${path}`, headers: bearer(token), payload: body as object }),
    updatesTo,
    lastUpdate: (id) => updatesTo(id).at(-1) as { action: string; args: Record<string, unknown> } | undefined,
  };
}

/** The paths a 400 names (`details[].path`). */
export const paths = (res: { json(): { details: { path: string }[] } }): string[] => res.json().details.map((d) => d.path);
