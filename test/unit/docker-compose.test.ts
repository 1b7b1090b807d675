/**
 * Static checks of the deployment files: docker-compose.yml, Dockerfile, .dockerignore and deploy/.
 * No Docker daemon needed. A compose binary (`docker compose` v2 or Debian's `docker-compose`) and shellcheck
 * validate the files too; `npm test` installs them (scripts/provision-system.sh), and their absence fails.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config';
import { DEFAULT_TASK_QUEUE } from '../../src/temporal/ids';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/temporal/searchAttributes';

const ROOT = join(__dirname, '..', '..');
const read = (rel: string): string => readFileSync(join(ROOT, rel), 'utf8');

// ---- what we expect ---------------------------------------------------------------------------------

/** Shared with README.md: the services and published ports the stack promises. */
interface ExpectedPort {
  service: string;
  hostIp: string | null;
  published: number;
  target: number;
  url: string | null;
}
const EXPECTED = JSON.parse(read('deploy/expected.json')) as { services: string[]; ports: ExpectedPort[] };

/** The custom search attributes (docs/operations.md), as the temporal CLI spells their types. */
const SEARCH_ATTRIBUTES: Record<string, string> = {
  ServiceStatus: 'Keyword',
  Urgency: 'Keyword',
  RequestType: 'Keyword',
  TechnicianId: 'Keyword',
  EscalationLevel: 'Int',
  BreachedDeadlines: 'KeywordList',
  SatisfactionScore: 'Int',
  Channel: 'Keyword',
  Owner: 'Keyword',
  LifecycleVersion: 'Int',
  Warranty: 'Keyword',
  CustomerKey: 'Keyword',
  ProductKey: 'Keyword',
  RepeatOf: 'Keyword',
};

/** Variables a user is told to set (README); the rest take their `${VAR:-default}`. */
const USER_ENV = {
  RATING_LINK_SECRET: '653403fabc48d26d7e9d926b4f3a790dccd40c64f7da301b58a8cd83113228da', // openssl rand -hex 32
  CUSTOMER_KEY_SECRET: '1f0c9a64e3b27d58c4a91e06b7d3f28a5c6e9b104d7a3f62e8c15b90a4d7e3f1', // openssl rand -hex 32
  METRICS_TOKEN: 'test-metrics-token-0123456789',
  AFTERCARE_CODEC_KEYS: 'k1:Jq3DXW2l8o3mZ2q8bq6z1eDq2v3m8v4z0A9o3uQzG8k=', // k1:$(openssl rand -base64 32)
};
/** Every variable compose itself requires (`${VAR:?…}`): a stack without one does not start. */
const REQUIRED_ENV = ['RATING_LINK_SECRET', 'CUSTOMER_KEY_SECRET', 'METRICS_TOKEN', 'AFTERCARE_CODEC_KEYS'] as const;
const without = (name: string): Env => Object.fromEntries(Object.entries(USER_ENV).filter(([k]) => k !== name));

const DEPENDS_ON_CONDITIONS = ['service_started', 'service_healthy', 'service_completed_successfully'];

// ---- compose model ----------------------------------------------------------------------------------

type Env = Record<string, string>;
interface Healthcheck {
  test?: string | string[];
  disable?: boolean;
}
interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Env | string[];
  ports?: (string | { target: number; published?: number | string; host_ip?: string })[];
  volumes?: (string | { type?: string; source?: string; target: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: Healthcheck;
  restart?: string;
  profiles?: string[];
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const COMPOSE_TEXT = read('docker-compose.yml');
// Compose files use YAML 1.1 merge keys (`<<: *anchor`).
const compose = parse(COMPOSE_TEXT, { merge: true }) as Compose;
const services = compose.services;
const service = (name: string): Service => {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service '${name}'`);
  return s;
};

/** Compose variable interpolation: ${V}, ${V:-d}, ${V-d}, ${V:?e}, ${V?e}, $$. */
function interpolate(value: string, env: Env): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])((?:[^}])*))?\}/g,
    (whole, name?: string, colon?: string, op?: string, arg?: string) => {
      if (whole === '$$') return '$';
      const v = env[name!];
      const unset = v === undefined || (colon === ':' && v === '');
      if (op === '-') return unset ? (arg ?? '') : v!;
      if (op === '?') {
        if (unset) throw new Error(`required variable ${name} is missing: ${arg}`);
        return v!;
      }
      return v ?? '';
    },
  );
}

function environmentOf(s: Service, env: Env = USER_ENV): Env {
  const raw = s.environment ?? {};
  const pairs: [string, string][] = Array.isArray(raw)
    ? raw.map((kv) => {
        const i = kv.indexOf('=');
        return [kv.slice(0, i), kv.slice(i + 1)];
      })
    : Object.entries(raw).map(([k, v]) => [k, String(v)]);
  return Object.fromEntries(pairs.map(([k, v]) => [k, interpolate(v, env)]));
}

function dependsOn(s: Service): Record<string, string> {
  const d = s.depends_on ?? {};
  if (Array.isArray(d)) return Object.fromEntries(d.map((n) => [n, 'service_started']));
  return Object.fromEntries(Object.entries(d).map(([n, v]) => [n, v?.condition ?? 'service_started']));
}

interface Mount {
  source: string;
  target: string;
  bind: boolean;
}
function mountsOf(s: Service): Mount[] {
  return (s.volumes ?? []).map((v) => {
    if (typeof v !== 'string') return { source: v.source ?? '', target: v.target, bind: v.type === 'bind' };
    const [source = '', target = ''] = v.split(':');
    return { source, target, bind: source.startsWith('.') || source.startsWith('/') };
  });
}

/** Host file behind a container path, through the service's bind mounts. */
function hostPathFor(s: Service, containerPath: string): string | undefined {
  for (const m of mountsOf(s).filter((m) => m.bind)) {
    if (containerPath === m.target || containerPath.startsWith(`${m.target}/`)) {
      return join(ROOT, m.source, posix.relative(m.target, containerPath));
    }
  }
  return undefined;
}

function portsOf(name: string): Omit<ExpectedPort, 'url'>[] {
  return (service(name).ports ?? []).map((p) => {
    if (typeof p !== 'string') {
      return { service: name, hostIp: p.host_ip ?? null, published: Number(p.published), target: Number(p.target) };
    }
    const parts = p.replace(/\/(tcp|udp)$/, '').split(':');
    const [hostIp, published, target] = parts.length === 3 ? parts : [null, ...parts];
    return { service: name, hostIp: hostIp ?? null, published: Number(published), target: Number(target) };
  });
}

const asArgv = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : v.split(/\s+/));

// ---- Dockerfile model -------------------------------------------------------------------------------

const DOCKERFILE = read('Dockerfile');
/** Instructions with line continuations joined and comments dropped. */
const instructions = DOCKERFILE.replace(/\\\r?\n/g, ' ')
  .split(/\r?\n/)
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => {
    const [, op = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(l) ?? [];
    return { op: op.toUpperCase(), rest };
  });
const stages: { from: string; body: typeof instructions }[] = [];
for (const ins of instructions) {
  if (ins.op === 'FROM') stages.push({ from: ins.rest, body: [] });
  else stages.at(-1)?.body.push(ins);
}
const finalStage = stages.at(-1)!;
const dockerArgs = Object.fromEntries(
  instructions.filter((i) => i.op === 'ARG' && i.rest.includes('=')).map((i) => i.rest.split('=', 2) as [string, string]),
);
const resolveArgs = (s: string): string =>
  s.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, n: string) => dockerArgs[n] ?? `<unset ${n}>`);
const imageOfFrom = (from: string): string => resolveArgs(from.replace(/^--platform=\S+\s+/, '').split(/\s+/)[0]!);
const dockerCmd = JSON.parse(finalStage.body.filter((i) => i.op === 'CMD').at(-1)?.rest ?? '[]') as string[];

// ---- tsconfig: where `npm run build` puts a source file ---------------------------------------------

const tsconfig = JSON.parse(read('tsconfig.json')) as { compilerOptions: { outDir: string; rootDir: string }; include: string[] };

/** dist/src/api.js → src/api.ts, per outDir/rootDir; undefined if the path is not under outDir. */
function sourceForOutput(output: string): string | undefined {
  const outDir = posix.normalize(tsconfig.compilerOptions.outDir);
  const rel = posix.relative(outDir, posix.normalize(output));
  if (rel.startsWith('..') || !rel.endsWith('.js')) return undefined;
  return posix.normalize(posix.join(tsconfig.compilerOptions.rootDir, rel.replace(/\.js$/, '.ts')));
}

// =====================================================================================================

describe('docker-compose.yml: services', () => {
  it('defines exactly the expected services', () => {
    expect(Object.keys(services).sort()).toEqual([...EXPECTED.services].sort());
  });

  it('pins every image to an explicit version tag (no latest, no bare name)', () => {
    for (const [name, s] of Object.entries(services)) {
      if (!s.image) {
        expect({ name, build: s.build }).toEqual({ name, build: expect.anything() });
        continue;
      }
      const m = /^([^@]+?)(?::([\w][\w.-]*))?(@sha256:[0-9a-f]{64})?$/.exec(s.image);
      expect({ name, image: s.image, parsed: !!m }).toEqual({ name, image: s.image, parsed: true });
      const tag = m![2];
      expect({ name, tag }).toEqual({ name, tag: expect.any(String) });
      expect(tag).not.toMatch(/latest|^stable$|^main$/);
      // Prometheus tags its images `v3.5.0`: a leading v is a version too.
      if (!s.build) expect({ name, tag }).toEqual({ name, tag: expect.stringMatching(/^v?\d+\.\d+/) });
    }
  });

  it('runs the Temporal server and both admin-tools jobs at the same version', () => {
    const version = (img?: string) => img?.split(':')[1];
    const server = version(service('temporal').image);
    expect(service('temporal').image).toMatch(/^temporalio\/server:/);
    for (const job of ['temporal-schema', 'temporal-setup', 'temporal-admin-tools']) {
      expect(service(job).image).toMatch(/^temporalio\/admin-tools:/);
      expect(version(service(job).image)).toBe(server);
    }
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:/);
    expect(service('postgresql').image).toMatch(/^postgres:16\./);
  });

  it('builds worker and api from the one Dockerfile', () => {
    for (const name of ['worker', 'api']) {
      expect(service(name).build).toBeDefined();
      expect(service(name).image).toBe(service('api').image);
    }
  });

  it('restarts long-running services and never the one-shot jobs', () => {
    for (const name of ['postgresql', 'temporal', 'temporal-ui', 'worker', 'api', 'prometheus', 'grafana']) {
      expect({ name, restart: service(name).restart }).toEqual({
        name,
        restart: expect.stringMatching(/^(unless-stopped|always|on-failure)/),
      });
    }
    for (const name of ['temporal-schema', 'temporal-setup']) {
      expect({ name, restart: service(name).restart }).toEqual({ name, restart: 'no' });
    }
  });

  it('keeps data in named volumes that are declared', () => {
    const declared = Object.keys(compose.volumes ?? {});
    expect(mountsOf(service('postgresql')).map((m) => m.target)).toContain('/var/lib/postgresql/data');
    for (const [name, s] of Object.entries(services)) {
      for (const m of mountsOf(s).filter((m) => !m.bind)) {
        expect({ name, volume: m.source, declared: declared.includes(m.source) }).toEqual({ name, volume: m.source, declared: true });
      }
    }
  });

  it('bind-mounts only files that exist in the repository', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const m of mountsOf(s).filter((m) => m.bind)) {
        expect({ name, source: m.source, exists: existsSync(join(ROOT, m.source)) }).toEqual({ name, source: m.source, exists: true });
      }
    }
  });
});

describe('docker-compose.yml: published ports (shared with README via deploy/expected.json)', () => {
  const published = Object.keys(services).flatMap(portsOf);

  it('publishes exactly the expected ports: API 3000, UI 8080, Temporal 7233, Grafana 3001, Prometheus 9090', () => {
    const key = (p: Omit<ExpectedPort, 'url'>) => `${p.service} ${p.hostIp ?? '*'}:${p.published}->${p.target}`;
    expect(published.map(key).sort()).toEqual(EXPECTED.ports.map(key).sort());
    expect(EXPECTED.ports.map((p) => p.published).sort((a, b) => a - b)).toEqual([3000, 3001, 7233, 8080, 9090]);
  });

  it('keeps Temporal gRPC, the unauthenticated Web UI, Prometheus and Grafana on loopback; the database and workers unpublished', () => {
    for (const p of published.filter((p) => ['temporal', 'temporal-ui', 'prometheus', 'grafana'].includes(p.service))) {
      expect(p).toEqual({ ...p, hostIp: '127.0.0.1' });
    }
    expect(service('postgresql').ports ?? []).toEqual([]);
    // The worker's metrics endpoint has no authentication: Prometheus reaches it on the compose network only.
    expect(service('worker').ports ?? []).toEqual([]);
  });

  it('lists every published port in the README compose table', () => {
    const readme = read('README.md');
    for (const p of EXPECTED.ports) {
      const where = p.url ?? `${p.hostIp ?? ''}:${p.published}`;
      expect({ service: p.service, where, inReadme: readme.includes(where) }).toEqual({ service: p.service, where, inReadme: true });
    }
  });

  it('serves the API on the port its PORT variable names', () => {
    const env = environmentOf(service('api'));
    expect(portsOf('api').map((p) => p.target)).toEqual([Number(env.PORT)]);
  });
});

describe('docker-compose.yml: health and start order', () => {
  const healthcheckOf = (name: string) => service(name).healthcheck;
  const hasHealthcheck = (name: string) => {
    const h = healthcheckOf(name);
    return !!h && !h.disable && asArgv(h.test).length > 0 && asArgv(h.test)[0] !== 'NONE';
  };

  it.each(['postgresql', 'temporal', 'api'])('%s has a healthcheck', (name) => {
    expect(hasHealthcheck(name)).toBe(true);
  });

  it('checks PostgreSQL with pg_isready and the API via GET /healthz using node (no curl in slim images)', () => {
    expect(asArgv(healthcheckOf('postgresql')?.test).join(' ')).toMatch(/pg_isready/);
    const api = asArgv(healthcheckOf('api')?.test);
    expect(api[0]).toBe('CMD');
    expect(api[1]).toBe('node');
    expect(api.join(' ')).toMatch(new RegExp(`http://(127\\.0\\.0\\.1|localhost):${environmentOf(service('api')).PORT}/healthz`));
  });

  it('depends only on services that exist, with valid conditions', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [target, condition] of Object.entries(dependsOn(s))) {
        expect({ name, target, exists: target in services }).toEqual({ name, target, exists: true });
        expect(DEPENDS_ON_CONDITIONS).toContain(condition);
        if (condition === 'service_healthy')
          expect({ name, target, healthcheck: hasHealthcheck(target) }).toEqual({ name, target, healthcheck: true });
        if (condition === 'service_completed_successfully')
          expect({ target, restart: service(target).restart }).toEqual({ target, restart: 'no' });
        if (!s.profiles?.length) expect({ name, target, profiles: service(target).profiles ?? [] }).toEqual({ name, target, profiles: [] });
      }
    }
  });

  it('has no dependency cycle', () => {
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (name: string, path: string[]): void => {
      if (state.get(name) === 'done') return;
      if (state.get(name) === 'visiting') throw new Error(`depends_on cycle: ${[...path, name].join(' -> ')}`);
      state.set(name, 'visiting');
      for (const dep of Object.keys(dependsOn(service(name)))) visit(dep, [...path, name]);
      state.set(name, 'done');
    };
    for (const name of Object.keys(services)) visit(name, []);
  });

  it('starts in order: db → schema job → server → setup job → worker and api', () => {
    expect(dependsOn(service('temporal-schema'))).toMatchObject({ postgresql: 'service_healthy' });
    expect(dependsOn(service('temporal'))).toMatchObject({ 'temporal-schema': 'service_completed_successfully' });
    expect(dependsOn(service('temporal-setup'))).toMatchObject({ temporal: 'service_healthy' });
    expect(dependsOn(service('temporal-ui'))).toMatchObject({ temporal: 'service_healthy' });
    for (const app of ['worker', 'api']) {
      expect(dependsOn(service(app))).toMatchObject({ temporal: 'service_healthy', 'temporal-setup': 'service_completed_successfully' });
    }
  });
});

describe('docker-compose.yml: Aftercare worker and API', () => {
  const worker = environmentOf(service('worker'));
  const api = environmentOf(service('api'));

  it('sets the documented environment on both processes, identically', () => {
    const keys = [
      'TEMPORAL_ADDRESS',
      'TEMPORAL_NAMESPACE',
      'TEMPORAL_TASK_QUEUE',
      'AFTERCARE_POLICY',
      'AFTERCARE_TECHNICIANS',
      'AFTERCARE_TOKENS',
      'SMS_PROVIDER',
      'SMS_OUTBOX_FILE',
      'PHOTO_STORAGE_DIR',
      'NODE_ENV',
      'AFTERCARE_CODEC_KEYS',
      'CUSTOMER_KEY_SECRET',
    ];
    for (const k of keys) {
      expect({ k, api: api[k] }).toEqual({ k, api: expect.any(String) });
      expect({ k, worker: worker[k] }).toEqual({ k, worker: api[k] });
    }
    expect(api).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_TASK_QUEUE: DEFAULT_TASK_QUEUE,
      SMS_PROVIDER: 'outbox',
      NODE_ENV: 'production',
    });
  });

  it('passes src/config.ts validation with the compose environment', () => {
    expect(() => loadConfig(api)).not.toThrow();
    expect(() => loadConfig(worker)).not.toThrow();
    const cfg = loadConfig(api);
    expect(cfg.temporal).toMatchObject({ address: 'temporal:7233', taskQueue: DEFAULT_TASK_QUEUE });
    expect(cfg.sms.provider).toBe('outbox');
  });

  it('refuses to start without RATING_LINK_SECRET (no dev secret in production)', () => {
    expect(() => environmentOf(service('api'), {})).toThrow(/RATING_LINK_SECRET/);
  });

  it('requires CUSTOMER_KEY_SECRET and passes the same one to worker and API (customer keys must never change)', () => {
    expect(() => environmentOf(service('api'), without('CUSTOMER_KEY_SECRET'))).toThrow(/CUSTOMER_KEY_SECRET/);
    expect(() => environmentOf(service('worker'), without('CUSTOMER_KEY_SECRET'))).toThrow(/CUSTOMER_KEY_SECRET/);
    expect(api.CUSTOMER_KEY_SECRET).toBe(USER_ENV.CUSTOMER_KEY_SECRET);
    expect(worker.CUSTOMER_KEY_SECRET).toBe(USER_ENV.CUSTOMER_KEY_SECRET);
    expect(loadConfig(api).customerKeySecret).toBe(USER_ENV.CUSTOMER_KEY_SECRET);
  });

  it('refuses to start without METRICS_TOKEN (no open /metrics in production), and passes it to the API', () => {
    const { METRICS_TOKEN: _token, ...withoutToken } = USER_ENV;
    expect(() => environmentOf(service('api'), withoutToken)).toThrow(/METRICS_TOKEN/);
    expect(api.METRICS_TOKEN).toBe(USER_ENV.METRICS_TOKEN);
    expect(loadConfig(api).metrics.token).toBe(USER_ENV.METRICS_TOKEN);
  });

  it('requires AFTERCARE_CODEC_KEYS: worker and API encrypt customer data in histories with the same keys', () => {
    expect(() => environmentOf(service('api'), without('AFTERCARE_CODEC_KEYS'))).toThrow(/AFTERCARE_CODEC_KEYS/);
    expect(() => environmentOf(service('worker'), without('AFTERCARE_CODEC_KEYS'))).toThrow(/AFTERCARE_CODEC_KEYS/);
    // An empty value is not a key either (`:?` refuses empty as well as unset).
    expect(() => environmentOf(service('api'), { ...USER_ENV, AFTERCARE_CODEC_KEYS: '' })).toThrow(/AFTERCARE_CODEC_KEYS/);
    expect(api.AFTERCARE_CODEC_KEYS).toBe(USER_ENV.AFTERCARE_CODEC_KEYS);
    expect(worker.AFTERCARE_CODEC_KEYS).toBe(USER_ENV.AFTERCARE_CODEC_KEYS);
    expect(loadConfig(api).codec.keys.map((k) => k.id)).toEqual(['k1']);
    expect(loadConfig(worker).codec.keys).toEqual(loadConfig(api).codec.keys);
  });

  it('names every variable compose requires in .env.example and in the README', () => {
    const required = [...new Set([...COMPOSE_TEXT.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):\?/g)].map((m) => m[1]))];
    expect(required.sort()).toEqual([...REQUIRED_ENV].sort());
    const example = read('.env.example');
    const readme = read('README.md');
    for (const name of REQUIRED_ENV) {
      expect({ name, inEnvExample: new RegExp(`^${name}=`, 'm').test(example) }).toEqual({ name, inEnvExample: true });
      expect({ name, inReadme: readme.includes(`echo "${name}=`) }).toEqual({ name, inReadme: true });
    }
  });

  it("lets the compose Temporal UI (published port) call the API's codec endpoint, when a codec token and endpoint are set", () => {
    const ui = EXPECTED.ports.find((p) => p.service === 'temporal-ui')!;
    const origins = loadConfig(api).codec.uiOrigins;
    expect(origins).toEqual(expect.arrayContaining([`http://localhost:${ui.published}`, `http://127.0.0.1:${ui.published}`]));
    // Off unless set: the UI then shows payloads encrypted.
    expect(environmentOf(service('temporal-ui')).TEMPORAL_CODEC_ENDPOINT).toBe('');
    const token = 'ui-codec-token-0123456789abcdef';
    const withUi = { ...USER_ENV, AFTERCARE_CODEC_TOKENS: token, TEMPORAL_CODEC_ENDPOINT: `http://localhost:3000/codec/${token}` };
    expect(loadConfig(environmentOf(service('api'), withUi)).codec.tokens).toEqual([token]);
    expect(environmentOf(service('temporal-ui'), withUi).TEMPORAL_CODEC_ENDPOINT).toBe(`http://localhost:3000/codec/${token}`);
  });

  it('src/config.ts itself refuses the production environment without METRICS_TOKEN or with a weak RATING_LINK_SECRET', () => {
    const { METRICS_TOKEN: _token, ...withoutToken } = api;
    expect(() => loadConfig(withoutToken)).toThrow(/METRICS_TOKEN/);
    expect(() => loadConfig({ ...api, RATING_LINK_SECRET: 'test-rating-secret' })).toThrow(/RATING_LINK_SECRET/);
  });

  it('puts the SMS outbox and photo storage on named volumes shared by worker and api', () => {
    for (const file of [api.SMS_OUTBOX_FILE!, `${api.PHOTO_STORAGE_DIR!}/x`]) {
      const volumeFor = (s: Service) => mountsOf(s).find((m) => !m.bind && file.startsWith(`${m.target}/`))?.source;
      const v = volumeFor(service('api'));
      expect({ file, volume: v }).toEqual({ file, volume: expect.any(String) });
      expect(volumeFor(service('worker'))).toBe(v);
    }
  });

  it('points the policy, roster and token files at /app/policy files the image ships', () => {
    // The runtime stage copies the repository's policy/ to /app/policy.
    expect(finalStage.body.some((i) => i.op === 'COPY' && /\/app\/policy\s+\.\/policy$/.test(i.rest))).toBe(true);
    for (const k of ['AFTERCARE_POLICY', 'AFTERCARE_TECHNICIANS', 'AFTERCARE_TOKENS']) {
      const p = api[k]!;
      expect(p).toMatch(/^\/app\/policy\//);
      const repoFile = p.replace(/^\/app\//, '');
      expect({ k, repoFile, exists: existsSync(join(ROOT, repoFile)) }).toEqual({ k, repoFile, exists: true });
    }
  });

  it('runs the worker entry point from the build', () => {
    expect(asArgv(service('worker').command)).toEqual(['node', 'dist/src/worker.js']);
    expect(asArgv(service('api').command ?? dockerCmd)).toEqual(['node', 'dist/src/api.js']);
  });
});

describe('Prometheus and Grafana (deploy/prometheus, deploy/grafana)', () => {
  const prometheus = service('prometheus');
  const grafana = service('grafana');
  const promConfigPath = asArgv(prometheus.command)
    .join(' ')
    .match(/--config\.file=(\S+)/)?.[1];
  interface ScrapeJob {
    job_name: string;
    metrics_path?: string;
    authorization?: { type?: string; credentials_file?: string };
    static_configs?: { targets: string[] }[];
    dns_sd_configs?: { names: string[]; type: string; port: number }[];
  }
  const promConfig = parse(readFileSync(hostPathFor(prometheus, promConfigPath ?? '/nowhere')!, 'utf8')) as { scrape_configs: ScrapeJob[] };
  const job = (name: string): ScrapeJob => {
    const j = promConfig.scrape_configs.find((c) => c.job_name === name);
    if (!j) throw new Error(`prometheus.yml has no job ${name}`);
    return j;
  };

  it("scrapes the API's /metrics on its PORT with the bearer METRICS_TOKEN, which the entrypoint writes to the credentials file", () => {
    const api = job('aftercare-api');
    expect(api.metrics_path).toBe('/metrics');
    expect(api.static_configs?.flatMap((c) => c.targets)).toEqual([`api:${environmentOf(service('api')).PORT}`]);
    expect(api.authorization?.type).toBe('Bearer');
    const file = api.authorization!.credentials_file!;
    const script = asArgv(prometheus.command).join(' ');
    expect(script).toContain(`printf '%s' "$$METRICS_TOKEN" > ${file}`);
    expect(script).toMatch(/exec \/bin\/prometheus /);
    // The file lives on a tmpfs in the container, never in the repository or a volume.
    expect((prometheus as Service & { tmpfs?: string[] }).tmpfs?.some((t) => file.startsWith(`${t.split(':')[0]}/`))).toBe(true);
    expect(environmentOf(prometheus).METRICS_TOKEN).toBe(USER_ENV.METRICS_TOKEN);
  });

  it('scrapes every worker replica on the port and interface the worker serves its metrics on', () => {
    const workerJob = job('aftercare-worker');
    const cfg = loadConfig(environmentOf(service('worker'))).metrics;
    expect(cfg.workerHost).toBe('0.0.0.0');
    expect(workerJob.dns_sd_configs).toEqual([{ names: ['worker'], type: 'A', port: cfg.workerPort, refresh_interval: '30s' }]);
    // The API keeps its own default (loopback) for a worker metrics endpoint it does not have.
    expect(environmentOf(service('api')).WORKER_METRICS_HOST).toBeUndefined();
  });

  it('provisions the Prometheus datasource and the dashboards directory that Grafana mounts', () => {
    const ds = parse(readFileSync(hostPathFor(grafana, '/etc/grafana/provisioning/datasources/prometheus.yml')!, 'utf8')) as {
      datasources: { uid: string; type: string; url: string }[];
    };
    const port = portsOf('prometheus')[0]!.target;
    expect(ds.datasources).toEqual([expect.objectContaining({ type: 'prometheus', url: `http://prometheus:${port}` })]);
    const providers = parse(readFileSync(hostPathFor(grafana, '/etc/grafana/provisioning/dashboards/aftercare.yml')!, 'utf8')) as {
      providers: { options: { path: string } }[];
    };
    const dir = hostPathFor(grafana, providers.providers[0]!.options.path);
    expect(dir).toBe(join(ROOT, 'deploy/grafana/dashboards'));
    // Every panel queries the provisioned datasource.
    const dashboard = JSON.parse(read('deploy/grafana/dashboards/aftercare.json')) as {
      panels: { type: string; datasource?: { uid: string } }[];
    };
    for (const p of dashboard.panels.filter((p) => p.type !== 'row')) expect(p.datasource?.uid).toBe(ds.datasources[0]!.uid);
    expect(hostPathFor(grafana, environmentOf(grafana).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH!)).toBe(
      join(ROOT, 'deploy/grafana/dashboards/aftercare.json'),
    );
  });

  it('keeps Prometheus and Grafana data in named volumes', () => {
    expect(mountsOf(prometheus).find((m) => m.target === '/prometheus')?.bind).toBe(false);
    expect(mountsOf(grafana).find((m) => m.target === '/var/lib/grafana')?.bind).toBe(false);
  });
});

describe('deploy/temporal: setup job and dynamic config', () => {
  const SETUP = read('deploy/temporal/setup.sh');

  function scriptSearchAttributes(): [string, string][] {
    const block = /^SEARCH_ATTRIBUTES='\n([\s\S]*?)^'/m.exec(SETUP)?.[1];
    if (block === undefined) throw new Error("setup.sh has no SEARCH_ATTRIBUTES='…' block");
    return block
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => {
        const m = /^([A-Za-z][A-Za-z0-9_]*)=([A-Za-z]+)$/.exec(l);
        if (!m) throw new Error(`setup.sh: bad search attribute line '${l}'`);
        return [m[1]!, m[2]!];
      });
  }

  it('registers exactly the 14 search attributes with their types', () => {
    const entries = scriptSearchAttributes();
    expect(entries).toHaveLength(14);
    expect(Object.fromEntries(entries)).toEqual(SEARCH_ATTRIBUTES);
  });

  it('agrees with the keys the workflows use (src/temporal/searchAttributes.ts)', () => {
    const cli: Record<string, string> = {
      KEYWORD: 'Keyword',
      INT: 'Int',
      KEYWORD_LIST: 'KeywordList',
      TEXT: 'Text',
      BOOL: 'Bool',
      DOUBLE: 'Double',
      DATETIME: 'Datetime',
    };
    const fromCode = Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((k) => [k.name, cli[k.type] ?? k.type]));
    expect(Object.fromEntries(scriptSearchAttributes())).toEqual(fromCode);
  });

  it('waits for SERVING, creates the namespace if missing and creates each attribute with --name/--type', () => {
    expect(SETUP).toMatch(/operator cluster health/);
    expect(SETUP).toMatch(/operator namespace describe --namespace "\$NAMESPACE"/);
    expect(SETUP).toMatch(/operator namespace create --namespace "\$NAMESPACE"/);
    expect(SETUP).toMatch(/operator search-attribute create --namespace "\$NAMESPACE" --name "\$1" --type "\$2"/);
    expect(SETUP).toMatch(/for entry in \$SEARCH_ATTRIBUTES/);
  });

  it('is what the temporal-setup and temporal-schema services run', () => {
    for (const [name, script] of [
      ['temporal-setup', 'deploy/temporal/setup.sh'],
      ['temporal-schema', 'deploy/temporal/setup-schema.sh'],
    ] as const) {
      const s = service(name);
      const argv = [...asArgv(s.entrypoint), ...asArgv(s.command)];
      const inContainer = argv.find((a) => a.endsWith('.sh'));
      expect({ name, script: inContainer && hostPathFor(s, inContainer) }).toEqual({ name, script: join(ROOT, script) });
    }
    expect(environmentOf(service('temporal-setup')).NAMESPACE).toBe(environmentOf(service('api')).TEMPORAL_NAMESPACE);
  });

  it('sets up both PostgreSQL databases with temporal-sql-tool', () => {
    const schema = read('deploy/temporal/setup-schema.sh');
    expect(schema).toMatch(/temporal-sql-tool --plugin postgres12/);
    expect(schema).toMatch(/setup_db "\$DBNAME" temporal/);
    expect(schema).toMatch(/setup_db "\$VISIBILITY_DBNAME" visibility/);
    expect(environmentOf(service('temporal'))).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
  });

  it('mounts a dynamic config that enables update-with-start and updates', () => {
    const temporal = service('temporal');
    const path = environmentOf(temporal).DYNAMIC_CONFIG_FILE_PATH!;
    const host = hostPathFor(temporal, path);
    expect(host).toBe(join(ROOT, 'deploy/temporal/dynamicconfig/development-sql.yaml'));
    const dc = parse(readFileSync(host!, 'utf8')) as Record<string, { value: unknown; constraints?: object }[]>;
    for (const key of ['frontend.enableExecuteMultiOperation', 'frontend.enableUpdateWorkflowExecution']) {
      expect({ key, values: dc[key] }).toEqual({ key, values: [{ value: true, constraints: {} }] });
    }
  });

  it.each(['deploy/temporal/setup.sh', 'deploy/temporal/setup-schema.sh'])('%s is valid POSIX sh', (script) => {
    const r = spawnSync('sh', ['-n', join(ROOT, script)], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('Dockerfile', () => {
  it('is a multi-stage build on pinned Node 20 bookworm-slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(imageOfFrom(s.from)).toMatch(/^node:20\.\d+\.\d+-bookworm-slim$/);
  });

  it('installs with npm ci, builds, prunes dev dependencies, and runs as node with NODE_ENV=production', () => {
    const runs = instructions.filter((i) => i.op === 'RUN').map((i) => i.rest);
    expect(runs.some((r) => /\bnpm ci\b/.test(r))).toBe(true);
    expect(runs.some((r) => /\bnpm run build\b/.test(r))).toBe(true);
    expect(runs.some((r) => /\bnpm prune --omit=dev\b/.test(r))).toBe(true);
    expect(finalStage.body.filter((i) => i.op === 'USER').at(-1)?.rest).toBe('node');
    expect(finalStage.body.some((i) => i.op === 'ENV' && /\bNODE_ENV=production\b/.test(i.rest))).toBe(true);
  });

  it('defaults to the API and checks at build time that every entry point was built', () => {
    expect(dockerCmd).toEqual(['node', 'dist/src/api.js']);
    const build = instructions.find((i) => i.op === 'RUN' && i.rest.includes('npm run build'))!.rest;
    for (const out of ['dist/src/api.js', 'dist/src/worker.js', 'dist/workflow-bundle.js']) {
      expect(build).toContain(`test -f ${out}`);
    }
  });

  it('copies dist/, node_modules/ and policy/ from the build stage', () => {
    const copies = finalStage.body.filter((i) => i.op === 'COPY').map((i) => i.rest);
    for (const what of ['/app/dist', '/app/node_modules', '/app/policy']) {
      expect(copies.some((c) => c.startsWith('--from=build') && c.includes(what))).toBe(true);
    }
  });
});

describe('build plan: entry points map onto tsconfig (outDir dist, rootDir .)', () => {
  it('uses outDir "dist" and rootDir "."', () => {
    expect(posix.normalize(tsconfig.compilerOptions.outDir)).toBe('dist');
    expect(posix.normalize(tsconfig.compilerOptions.rootDir)).toBe('.');
  });

  it.each([
    ['api', 'dist/src/api.js', 'src/api.ts'],
    ['worker', 'dist/src/worker.js', 'src/worker.ts'],
  ])('%s: %s is compiled from %s, which exists and tsconfig includes', (_name, output, source) => {
    expect(sourceForOutput(output)).toBe(source);
    expect(tsconfig.include).toContain(source.split('/')[0]);
    expect({ source, exists: existsSync(join(ROOT, source)) }).toEqual({ source, exists: true });
  });

  it('has an npm build script for the Dockerfile to run', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts?: Record<string, string> };
    expect(pkg.scripts?.build).toEqual(expect.any(String));
  });
});

describe('.dockerignore', () => {
  const patterns = read('.dockerignore')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.replace(/^\/+|\/+$/g, ''));

  it('keeps host build output, dependencies, git and secrets out of the image', () => {
    for (const p of ['node_modules', 'dist', '.git', '**/.env', '.temporal', 'var']) expect(patterns).toContain(p);
  });

  it('keeps everything the build needs in the context', () => {
    for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'src', 'workflows', 'activities', 'policy', 'scripts']) {
      expect({ needed, ignoredBy: patterns.filter((p) => p === needed || p === '*' || p === '**') }).toEqual({ needed, ignoredBy: [] });
    }
  });
});

// ---- optional external validators: run when installed (CI: apt-get install -y docker-compose shellcheck) ----

function composeCommand(): string[] | undefined {
  if (spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0) return ['docker-compose'];
  return undefined;
}
const COMPOSE_CMD = composeCommand();
const HAS_SHELLCHECK = spawnSync('shellcheck', ['--version']).status === 0;

describe('external validators', () => {
  const run = (env: Env) => {
    const [cmd, ...args] = COMPOSE_CMD!;
    // No daemon needed for `config`. A clean env, so a developer's shell can't change the outcome.
    return spawnSync(cmd!, [...args, '-f', join(ROOT, 'docker-compose.yml'), '--project-directory', ROOT, 'config', '-q'], {
      encoding: 'utf8',
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    });
  };

  it(`${COMPOSE_CMD?.join(' ') ?? 'docker compose'} config -q accepts the file`, () => {
    expect(COMPOSE_CMD).toBeDefined();
    const r = run(USER_ENV);
    expect(r.stderr.trim()).toBe('');
    expect(r.status).toBe(0);
  });

  it.each(REQUIRED_ENV)('compose itself refuses to run without %s', (name) => {
    expect(COMPOSE_CMD).toBeDefined();
    const r = run(without(name));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(name));
  });

  it('shellcheck passes the deploy scripts', () => {
    expect(HAS_SHELLCHECK).toBe(true);
    expect(() =>
      execFileSync('shellcheck', ['-s', 'sh', join(ROOT, 'deploy/temporal/setup.sh'), join(ROOT, 'deploy/temporal/setup-schema.sh')], {
        encoding: 'utf8',
      }),
    ).not.toThrow();
  });
});
