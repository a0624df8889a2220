/**
 * The schema of the `cortex-iq:` config namespace of a `Pulumi.<stack>.yaml` (docs/pulumi.md, Stacks).
 * Every key a stack may set is here, with its default; `parseStackConfig` (parse.ts) applies it
 * together with the cross-field checks of checks.ts. Secrets are not part of this schema: they are
 * Pulumi secrets read by the program (see SECRET_KEYS) and never travel through the typed model.
 */
import { z } from 'zod';

/** The config namespace: the project name of Pulumi.yaml. */
export const NAMESPACE = 'cortex-iq';

/** Secret keys of the namespace, read with `config.getSecret`, generated with @pulumi/random when unset. */
export const SECRET_KEYS = [
  'databasePassword',
  'secretKeyBase',
  'meshSecret',
  'realmToken',
  'adminToken',
] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

export const ROLES = ['hub', 'edge'] as const;

/**
 * The kind node image: Kubernetes 1.30.6 as built for kind v0.25.0 (its release notes list it with
 * this digest; kind supports a node image only with the release that built it, so it is pinned by
 * digest). 1.30 is within the Kubernetes range of Flux 2.3 (1.28–1.30), the Flux of the default
 * `flux2` chart 2.13.0. See docs/pulumi.md "First real run".
 */
export const KIND_NODE_IMAGE =
  'kindest/node:v1.30.6@sha256:b6d08db72079ba5ae1f4a88a09025c0a904af3b52387643c285442afb05ab994';
/** Docker platforms the images can be built for (`images.platform`). */
export const PLATFORMS = ['linux/amd64', 'linux/arm64'] as const;
export const LAYOUTS = ['full', 'ring', 'hub', 'custom'] as const;

/** RFC 1123 label: cluster names become kind cluster names, node host names and gateway ids. */
const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/, 'expected a lower-case DNS label of at most 40 characters');
const port = z.number().int().min(1).max(65535);
const nodePort = z.number().int().min(30000).max(32767);
const nonEmpty = z.string().min(1, 'expected a non-empty string');

export const clusterSchema = z
  .object({
    /** Cluster name: kind cluster name, gateway id (`GATEWAY_ID`) and the label `cortexiq.io/cluster`. */
    name: dnsLabel,
    /** `hub` runs the shared services, `edge` runs one region (docs/domain.md, "Topology and placement"). */
    role: z.enum(ROLES),
    /** Region of an edge (`REGION` of homes and utilities); required for edges. */
    region: dnsLabel.optional(),
    /** kubeconfig context of an existing cluster; only with `target: existing`. */
    context: nonEmpty.optional(),
    /** `host:port` other gateways dial (QUIC); required with `target: existing`. */
    gatewayAddress: z
      .string()
      .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'expected host:port')
      .optional(),
    /** `HOMES_SOURCES` of this edge: JSON files (paths or names in the homes app's data folder). */
    homesSources: z.array(nonEmpty).min(1).optional(),
    /** `PROVIDERS_SOURCES` of this edge: provider catalogue files. */
    providersSources: z.array(nonEmpty).min(1).optional(),
    /** `PROVIDERS_COUNT` of this edge; defaults to the stack's `providersCount`. */
    providersCount: z.number().int().min(1).optional(),
  })
  .strict();

export const stackSchema = z
  .object({
    /** The realm every gateway and app joins (`MACULA_REALM`). */
    realm: z
      .string()
      .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'expected a dotted realm such as be.cortexiq.energy'),
    /** `kind`: create KinD clusters and a local registry; `existing`: use kubeconfig contexts. */
    target: z.enum(['kind', 'existing']).default('kind'),
    /**
     * `direct`: Pulumi applies the workloads; `gitops`: Flux reconciles the rendered tree (docs/pulumi.md,
     * Stacks).
     */
    delivery: z.enum(['direct', 'gitops']).default('direct'),
    /** Kubernetes namespace of the workloads on every cluster. */
    namespace: dnsLabel.default('cortex-iq'),
    clusters: z.array(clusterSchema).min(1, 'expected at least one cluster'),
    mesh: z
      .object({
        /** full: every pair; ring: in cluster order; hub: every edge to the hub (HUB_GATEWAY_URL); custom: `links`. */
        layout: z.enum(LAYOUTS).default('full'),
        /** Links of the `custom` layout, as pairs of cluster names. */
        links: z.array(z.tuple([dnsLabel, dnsLabel])).optional(),
      })
      .strict()
      .default({ layout: 'full' }),
    simulation: z
      .object({
        speed: z.number().int().min(1).max(10_000_000).default(105120),
        startDate: z.iso
          .datetime({ message: 'expected an ISO 8601 UTC date-time' })
          .default('2025-01-01T00:00:00Z'),
        tickMs: z.number().int().min(10).max(60_000).default(1000),
      })
      .strict()
      .default({ speed: 105120, startDate: '2025-01-01T00:00:00Z', tickMs: 1000 }),
    /** Default `PROVIDERS_COUNT` per region. */
    providersCount: z.number().int().min(1).default(5),
    images: z
      .object({
        /** Tag of every image (also the tag the rendered tree pins). */
        tag: z
          .string()
          .regex(
            /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
            'expected a Docker tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})',
          ),
        /** Registry the clusters pull from; defaults to the local registry on kind. */
        registry: z
          .string()
          .regex(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/, 'expected a registry host[:port][/path]')
          .optional(),
        /** Build and push the images with @pulumi/docker; default true on kind, false on existing clusters. */
        build: z.boolean().optional(),
        /** Platform of the built images; default the Docker engine's own, which is the kind nodes' platform. */
        platform: z.enum(PLATFORMS).optional(),
        /** Image name prefix: images are `<prefix><app>`. */
        prefix: z
          .string()
          .regex(/^[a-z0-9._-]*$/)
          .default('cortexiq-'),
        /** PostgreSQL image of the hub (pulled from its public registry). */
        postgres: z
          .string()
          .regex(/^[a-z0-9./_-]+:[A-Za-z0-9_.-]+$/, 'expected name:tag')
          .default('postgres:16.4-alpine'),
      })
      .strict(),
    registry: z
      .object({
        /** Host port of the local registry (pushes go to localhost:<hostPort>). */
        hostPort: port.default(5001),
        /** Container name of the registry. */
        container: dnsLabel.default('cortexiq-registry'),
        /** Alias of the registry on the kind network. */
        alias: z.string().default('registry.macula.local'),
      })
      .strict()
      .default({ hostPort: 5001, container: 'cortexiq-registry', alias: 'registry.macula.local' }),
    kind: z
      .object({
        /** Node image of every kind cluster, pinned by digest. */
        nodeImage: z
          .string()
          .regex(
            /^[a-z0-9./_-]+:v\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$/,
            'expected an image pinned by digest: kindest/node:v<version>@sha256:<64 hex>',
          )
          .default(KIND_NODE_IMAGE),
        /** Host address the hub's port mappings listen on; 0.0.0.0 exposes them to the whole network. */
        listenAddress: z.union([z.ipv4(), z.ipv6()]).default('127.0.0.1'),
      })
      .strict()
      .default({ nodeImage: KIND_NODE_IMAGE, listenAddress: '127.0.0.1' }),
    flux: z
      .object({
        /** Flux distribution version (documented in outputs and labels). */
        version: z.string().regex(/^v?\d+\.\d+\.\d+$/, 'expected a version such as 2.3.0'),
        /** Version of the fluxcd-community `flux2` Helm chart that ships that Flux version. */
        chartVersion: z.string().regex(/^\d+\.\d+\.\d+$/, 'expected a chart version such as 2.13.0'),
        /**
         * `helm`: install the chart (its namespace is created only if missing); `existing`: Flux already
         * runs in flux-system (e.g. `flux bootstrap`), install nothing and only add the GitOps objects.
         */
        install: z.enum(['helm', 'existing']).default('helm'),
      })
      .strict(),
    gitops: z
      .object({
        /** `git`: a GitRepository of this repo; `oci`: an OCIRepository in the local registry. */
        source: z.enum(['git', 'oci']),
        url: z
          .string()
          .regex(/^(https:\/\/|ssh:\/\/|oci:\/\/)\S+$/, 'expected an https://, ssh:// or oci:// URL'),
        /** Branch (git) or tag (oci). */
        ref: nonEmpty.default('main'),
        /** Path of the rendered tree inside the source. */
        path: z.string().default('./deploy'),
        interval: z
          .string()
          .regex(/^\d+[smh]$/)
          .default('1m'),
      })
      .strict()
      .optional(),
    ports: z
      .object({
        gateway: port.default(9443),
        admin: port.default(8080),
        dashboard: port.default(4000),
        /** `HEALTH_PORT` of every app: /health, /live, /ready (probes) and /metrics (scrape). */
        health: port.default(9090),
        postgres: port.default(5432),
        dashboardNodePort: nodePort.default(30000),
        gatewayNodePort: nodePort.default(30080),
        adminNodePort: nodePort.default(30081),
        grafanaNodePort: nodePort.default(30002),
      })
      .strict()
      .default({
        gateway: 9443,
        admin: 8080,
        dashboard: 4000,
        health: 9090,
        postgres: 5432,
        dashboardNodePort: 30000,
        gatewayNodePort: 30080,
        adminNodePort: 30081,
        grafanaNodePort: 30002,
      }),
    /** `PHX_HOST` of the dashboard. */
    dashboardHost: z.string().default('localhost'),
    observability: z
      .object({
        /** Prometheus and Grafana (with the gateway-mesh dashboard) on the hub. */
        enabled: z.boolean().default(false),
        prometheusChartVersion: z.string().default('25.27.0'),
        grafanaChartVersion: z.string().default('8.5.1'),
      })
      .strict()
      .default({ enabled: false, prometheusChartVersion: '25.27.0', grafanaChartVersion: '8.5.1' }),
  })
  .strict();

export type StackConfig = z.output<typeof stackSchema>;
export type ClusterConfig = z.output<typeof clusterSchema>;
export type Role = (typeof ROLES)[number];
export type Layout = (typeof LAYOUTS)[number];
