import { type AppName, APP_NAMES, ConfigError, loadConfig } from '@parley/config';
import { topicName } from '@parley/contracts';
import { kafkaGroupId } from '@parley/messaging';
import { sharedConsumerGroups } from '@parley/platform';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { consumerGroupTableMarkdown, definitionOf, LAG_SCALED_APPS } from './consumer-groups';
import type { K8sObject } from './kustomize';
import { render } from './kustomize';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    configMapKeyRef?: { name: string; key: string };
  };
}

interface Container {
  name: string;
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
}

interface DeploymentSpec {
  selector: { matchLabels: Record<string, string> };
  template: {
    metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
    spec: {
      terminationGracePeriodSeconds?: number;
      securityContext?: { runAsNonRoot?: boolean };
      topologySpreadConstraints?: unknown[];
      containers: Container[];
      volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[];
    };
  };
}

/** Secrets are not in the manifests: stand-ins of the right shape, to check the rest. */
const SECRET_STAND_INS: Record<string, string> = {
  'jwt-secret': 'x'.repeat(40),
  'token-secret': 'y'.repeat(40),
  'smtp-url': 'smtp://mail.example:587',
};

function secretStandIn(key: string): string {
  if (key.startsWith('mongodb-uri-'))
    return `mongodb://mongo:27017/parley_${key.slice('mongodb-uri-'.length)}`;
  const value = SECRET_STAND_INS[key];
  if (!value) throw new Error(`unknown secret key ${key}`);
  return value;
}

/** A storage quantity in bytes (binary and decimal suffixes, as Kubernetes reads them). */
function bytesOf(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
  if (!match) throw new Error(`unreadable quantity ${quantity}`);
  const unit = {
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
  };
  return Number(match[1]) * (match[2] ? unit[match[2] as keyof typeof unit] : 1);
}

interface ScaledObjectSpec {
  scaleTargetRef: { apiVersion?: string; kind?: string; name: string };
  minReplicaCount?: number;
  maxReplicaCount?: number;
  triggers: { type: string; metadata: Record<string, string> }[];
}

async function validate(object: K8sObject): Promise<void> {
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : ['', object.apiVersion];
  const path =
    group === 'keda.sh'
      ? `@kubernetes-models/keda/keda.sh/${version}/${object.kind}`
      : `kubernetes-models/${group ? `${group}/` : ''}${version}/${object.kind}`;
  const module = (await import(path)) as Record<
    string,
    new (data: unknown) => { validate(): void }
  >;
  const Model = module[object.kind];
  if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  new Model(object).validate();
}

describe.each(['dev', 'production'])('the %s overlay', (overlay) => {
  const objects = render(overlay);
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const deployments = byKind('Deployment') as (K8sObject & { spec: DeploymentSpec })[];

  it('renders one Deployment, Service and PodDisruptionBudget per app', () => {
    for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget']) {
      expect(
        byKind(kind)
          .map((o) => o.metadata.name)
          .sort(),
      ).toEqual([...APP_NAMES].sort());
    }
  });

  it('passes the Kubernetes schemas, object by object', async () => {
    for (const object of objects) await expect(validate(object)).resolves.toBeUndefined();
  });

  it.each(APP_NAMES)(
    'runs %s as non-root with probes, resources and a drain that fits the grace period',
    (app) => {
      const deployment = deployments.find((d) => d.metadata.name === app)!;
      const pod = deployment.spec.template.spec;
      const container = pod.containers[0]!;
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
      });
      expect(container.readinessProbe?.httpGet?.path).toBe('/health/ready');
      expect(container.livenessProbe?.httpGet?.path).toBe('/health/live');
      expect(container.resources?.requests).toEqual(
        expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }),
      );
      expect(container.resources?.limits).toEqual(
        expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }),
      );
      expect(pod.topologySpreadConstraints?.length).toBeGreaterThan(0);

      const configMap = byKind('ConfigMap').find((c) => c.metadata.name === 'parley-config')!;
      const preStopSeconds = Number(container.lifecycle?.preStop?.exec?.command.at(-1) ?? 0);
      const graceMs = Number(configMap.data?.SHUTDOWN_GRACE_MS);
      expect(preStopSeconds * 1000 + graceMs).toBeLessThan(
        (pod.terminationGracePeriodSeconds ?? 30) * 1000,
      );

      const pdb = byKind('PodDisruptionBudget').find(
        (p) => p.metadata.name === app,
      ) as K8sObject & {
        spec: { selector: { matchLabels: Record<string, string> } };
      };
      for (const [label, value] of Object.entries(pdb.spec.selector.matchLabels)) {
        expect(deployment.spec.template.metadata.labels[label]).toBe(value);
      }
    },
  );

  /** The environment an app's container gets: its ConfigMaps, its own values, secret stand-ins. */
  const envOf = (app: AppName): Record<string, string> => {
    const deployment = deployments.find((d) => d.metadata.name === app)!;
    const container = deployment.spec.template.spec.containers[0]!;
    const env: Record<string, string> = {};
    for (const from of container.envFrom ?? []) {
      const configMap = byKind('ConfigMap').find(
        (c) => c.metadata.name === from.configMapRef?.name,
      );
      expect(configMap).toBeDefined();
      Object.assign(env, configMap?.data ?? {});
    }
    for (const variable of container.env ?? []) {
      if (variable.value !== undefined) env[variable.name] = variable.value;
      else if (variable.valueFrom?.secretKeyRef)
        env[variable.name] = secretStandIn(variable.valueFrom.secretKeyRef.key);
    }
    return env;
  };

  it.each(APP_NAMES)(
    'gives %s every variable its configuration requires, with valid values',
    (app: AppName) => {
      const env = envOf(app);
      let problems: string[] = [];
      try {
        loadConfig(app, env);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        problems = error.problems.map((p) => `${p.variable}: ${p.reason}`);
      }
      expect(problems).toEqual([]);
    },
  );

  it("reaches the gateway's internal listener at IDENTITY_URL, on a port of its own the Ingress does not route", () => {
    const gateway = deployments.find((d) => d.metadata.name === 'gateway')!;
    const internalPort = loadConfig('gateway', envOf('gateway')).internal.port;
    const container = gateway.spec.template.spec.containers[0]!;
    expect(container.ports?.find((p) => p.name === 'internal')?.containerPort).toBe(internalPort);
    const service = byKind('Service').find((o) => o.metadata.name === 'gateway') as K8sObject & {
      spec: { type?: string; ports: { name: string; port: number; targetPort?: string }[] };
    };
    expect(service.spec.type ?? 'ClusterIP').toBe('ClusterIP');
    const internal = service.spec.ports.find((p) => p.name === 'internal')!;
    expect(internal.targetPort).toBe('internal');
    for (const app of ['posts', 'comments', 'notifications'] as const) {
      const url = new URL(loadConfig(app, envOf(app)).identityUrl);
      expect([url.hostname, Number(url.port)]).toEqual(['gateway', internal.port]);
    }
  });

  it('keeps uploads waiting for their import at IMPORT_DIR, on one claim every gateway replica mounts', () => {
    const dir = loadConfig('gateway', envOf('gateway')).imports.dir;
    expect(dir).toMatch(/^\//);
    const pod = deployments.find((d) => d.metadata.name === 'gateway')!.spec.template.spec;
    const container = pod.containers[0]!;
    // The mount the folder is on: the deepest whose path holds it.
    const mount = (container.volumeMounts ?? [])
      .filter((m) => dir === m.mountPath || dir!.startsWith(`${m.mountPath.replace(/\/$/, '')}/`))
      .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
    expect(mount).toMatchObject({ mountPath: dir });
    expect(mount?.readOnly ?? false).toBe(false);
    expect(mount?.subPath).toBeUndefined();
    const claimName = pod.volumes?.find((v) => v.name === mount?.name)?.persistentVolumeClaim
      ?.claimName;
    expect(claimName).toBeDefined();
    const claim = byKind('PersistentVolumeClaim').find(
      (c) => c.metadata.name === claimName,
    ) as K8sObject & {
      spec: { accessModes: string[]; resources: { requests: { storage: string } } };
    };
    expect(claim).toBeDefined();
    // Every replica reads and writes it, wherever it runs (the dev cluster is one node).
    expect(claim.spec.accessModes).toEqual([overlay === 'dev' ? 'ReadWriteOnce' : 'ReadWriteMany']);
    expect(bytesOf(claim.spec.resources.requests.storage)).toBeGreaterThanOrEqual(
      loadConfig('gateway', envOf('gateway')).imports.maxBytes,
    );
  });

  it.each(APP_NAMES)(
    'has Prometheus scrape %s on its metrics port, which its Service does not route to',
    (app: AppName) => {
      const deployment = deployments.find((d) => d.metadata.name === app)!;
      const container = deployment.spec.template.spec.containers[0]!;
      const config = loadConfig(app, envOf(app));
      const metricsPort = container.ports?.find((p) => p.name === 'metrics')?.containerPort;
      expect(metricsPort).toBe(config.metrics.port);
      expect(metricsPort).not.toBe(config.http.port);
      const annotations = deployment.spec.template.metadata.annotations ?? {};
      expect(annotations['prometheus.io/port']).toBe(String(metricsPort));
      expect(annotations['prometheus.io/path']).toBe('/metrics');

      const service = byKind('Service').find((o) => o.metadata.name === app) as K8sObject & {
        spec: { ports: { port: number; targetPort?: number | string }[] };
      };
      expect(service.spec.ports.length).toBeGreaterThan(0);
      for (const port of service.spec.ports) {
        expect([port.port, port.targetPort]).not.toContain(metricsPort);
        expect(port.targetPort ?? port.port).not.toBe('metrics');
      }
    },
  );

  const scaledObjects = byKind('ScaledObject') as (K8sObject & { spec: ScaledObjectSpec })[];

  it('scales the gateway on CPU and every consumer service on Kafka lag, never both ways at once', () => {
    const hpaTargets = byKind('HorizontalPodAutoscaler').map(
      (h) =>
        (h as K8sObject & { spec: { scaleTargetRef: { name: string } } }).spec.scaleTargetRef.name,
    );
    expect(hpaTargets).toEqual(['gateway']);
    expect(scaledObjects.map((s) => s.spec.scaleTargetRef.name).sort()).toEqual(
      [...LAG_SCALED_APPS].sort(),
    );
  });

  it.each(LAG_SCALED_APPS)(
    'watches the lag of every consumer group %s runs, on the cluster its pods use, up to the partition count',
    (app) => {
      const scaled = scaledObjects.find((s) => s.spec.scaleTargetRef.name === app)!;
      const config = loadConfig(app, envOf(app));
      const kafka = scaled.spec.triggers.filter((t) => t.type === 'kafka');
      const watched = kafka.map((t) => `${t.metadata.consumerGroup} ${t.metadata.topic}`).sort();
      const expected = sharedConsumerGroups(definitionOf(app))
        .flatMap((group) =>
          group.topics.map(
            (topic) =>
              `${kafkaGroupId(group.groupId, config.kafka.topicPrefix)} ${topicName(topic, config.kafka.topicPrefix)}`,
          ),
        )
        .sort();
      expect(watched).toEqual(expected);
      for (const trigger of kafka) {
        expect(trigger.metadata.bootstrapServers?.split(',')).toEqual(config.kafka.brokers);
        expect(Number(trigger.metadata.lagThreshold)).toBeGreaterThan(0);
        // An idle consumer past the partition count would only add cost.
        expect(trigger.metadata.allowIdleConsumers).toBe('false');
      }
      const { minReplicaCount = 0, maxReplicaCount = 100 } = scaled.spec;
      expect(minReplicaCount).toBeGreaterThanOrEqual(1);
      expect(maxReplicaCount).toBeGreaterThanOrEqual(minReplicaCount);
      expect(maxReplicaCount).toBeLessThanOrEqual(config.kafka.partitions);
    },
  );
});

describe('k8s/README.md', () => {
  const START = '<!-- consumer-groups:start (generated from the service definitions) -->';
  const END = '<!-- consumer-groups:end -->';

  it('lists the consumer groups and topics of each lag-scaled service as the code names them', () => {
    const text = readFileSync(join(__dirname, '..', '..', 'k8s', 'README.md'), 'utf8');
    const start = text.indexOf(START);
    const end = text.indexOf(END);
    expect(start).toBeGreaterThan(-1);
    expect(text.slice(start + START.length, end).trim()).toBe(consumerGroupTableMarkdown());
  });
});
