/**
 * PostgreSQL on the hub (docs/pulumi.md, Components: Postgres): StatefulSet with a volume, Service, readiness
 * probe.
 */
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IService } from 'kubernetes-models/v1/Service';
import { DATABASE_NAME, DATABASE_USER, POSTGRES_SERVICE, SECRETS } from '../env';
import type { StackConfig } from '../schema';
import { databasePasswordAnnotations, labels, resources } from './common';

const UID = 70; // the postgres user of the official alpine image

/**
 * The official image reads POSTGRES_PASSWORD only when it initialises an empty data directory, so a
 * rotated secret would leave the role on the old password and every DATABASE_URL failing. After each
 * start this hook waits for the server on TCP (the init-time server listens on the socket only) and
 * sets the role's password from the current Secret over the local socket, where the image trusts
 * local connections. The password goes in as a psql variable, quoted by psql, never as SQL text.
 */
export function passwordSyncScript(c: StackConfig): string {
  const port = String(c.ports.postgres);
  return [
    'i=0',
    `until pg_isready -h 127.0.0.1 -p ${port} -U ${DATABASE_USER} -d ${DATABASE_NAME} >/dev/null 2>&1; do`,
    '  i=$((i+1)); [ "$i" -ge 300 ] && exit 1; sleep 1',
    'done',
    `echo "ALTER ROLE ${DATABASE_USER} PASSWORD :'pw';" | psql -q -v ON_ERROR_STOP=1 -v pw="$POSTGRES_PASSWORD" -p ${port} -U ${DATABASE_USER} -d ${DATABASE_NAME}`,
  ].join('\n');
}

export function postgresStatefulSet(c: StackConfig): IStatefulSet {
  const l = labels(POSTGRES_SERVICE, 'database');
  const ready = ['pg_isready', '-h', '127.0.0.1', '-U', DATABASE_USER, '-d', DATABASE_NAME];
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: POSTGRES_SERVICE, labels: l.all },
    spec: {
      serviceName: POSTGRES_SERVICE,
      replicas: 1,
      selector: { matchLabels: l.selector },
      template: {
        // A rotated password restarts PostgreSQL, whose postStart hook then sets it.
        metadata: { labels: l.all, annotations: databasePasswordAnnotations() },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: UID, runAsGroup: UID, fsGroup: UID },
          containers: [
            {
              name: 'postgres',
              image: c.images.postgres,
              env: [
                { name: 'POSTGRES_USER', value: DATABASE_USER },
                { name: 'POSTGRES_DB', value: DATABASE_NAME },
                { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
                {
                  name: 'POSTGRES_PASSWORD',
                  valueFrom: {
                    secretKeyRef: {
                      name: SECRETS.databasePassword.secret,
                      key: SECRETS.databasePassword.key,
                    },
                  },
                },
              ],
              ports: [{ name: 'postgres', containerPort: c.ports.postgres, protocol: 'TCP' }],
              args: ['-p', String(c.ports.postgres)],
              lifecycle: { postStart: { exec: { command: ['sh', '-c', passwordSyncScript(c)] } } },
              readinessProbe: {
                exec: { command: [...ready, '-p', String(c.ports.postgres)] },
                periodSeconds: 5,
                failureThreshold: 6,
              },
              livenessProbe: {
                exec: { command: [...ready, '-p', String(c.ports.postgres)] },
                initialDelaySeconds: 30,
                periodSeconds: 15,
              },
              resources: resources('postgres'),
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }],
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      ],
    },
  };
}

export function postgresService(c: StackConfig): IService {
  const l = labels(POSTGRES_SERVICE, 'database');
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: POSTGRES_SERVICE, labels: l.all },
    spec: {
      selector: l.selector,
      ports: [{ name: 'postgres', port: c.ports.postgres, targetPort: 'postgres', protocol: 'TCP' }],
    },
  };
}
