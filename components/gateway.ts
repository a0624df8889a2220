/**
 * The mesh gateway of one cluster (docs/pulumi.md, Components: Gateway): its TLS Secret (mesh CA + its
 * certificate) and, in direct delivery, the Deployment and Service built by `stacks/manifests/gateway.ts`.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import {
  gatewayDataClaim,
  gatewayDeployment,
  gatewayService,
  SECRETS,
  type GatewayNode,
  type StackConfig,
} from '../stacks';
import { createObject, createSecret } from './k8s-object';

/** This gateway's certificate and key, the mesh CA, and its QUIC key and peer id. */
export interface GatewaySecretMaterial {
  cert: pulumi.Input<string>;
  key: pulumi.Input<string>;
  ca: pulumi.Input<string>;
  quicKey: pulumi.Input<string>;
  quicPeerId: pulumi.Input<string>;
}

export interface GatewayArgs {
  /** The typed stack (ports, realm). */
  config: StackConfig;
  /** The gateway in the derived topology (id, peers, env). */
  gateway: GatewayNode;
  /** Namespace of the workloads. */
  namespace: pulumi.Input<string>;
  /** Provider of the cluster. */
  provider: k8s.Provider;
  /** Image reference (digest when built); default the tag reference of the model. */
  image?: pulumi.Input<string>;
  /** This gateway's certificate and key, the mesh CA, and its QUIC key and peer id. */
  tls: GatewaySecretMaterial;
  /** Apply the Deployment and Service (direct delivery). */
  workloads: boolean;
}

export class Gateway extends pulumi.ComponentResource {
  /** What the apps wait for: the ready Deployment, or the TLS Secret under GitOps. */
  readonly ready: pulumi.Resource;

  constructor(name: string, args: GatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super('cortex-iq:mesh:Gateway', name, {}, opts);
    const { config: c, provider, namespace } = args;
    const ref = { parent: this, provider };
    const tls = createSecret(
      `${name}-tls`,
      SECRETS.tlsCert.secret,
      namespace,
      {
        [SECRETS.tlsCert.key]: args.tls.cert,
        [SECRETS.tlsKey.key]: args.tls.key,
        [SECRETS.tlsCa.key]: args.tls.ca,
        [SECRETS.quicKey.key]: args.tls.quicKey,
        [SECRETS.quicPeerId.key]: args.tls.quicPeerId,
      },
      ref,
      'kubernetes.io/tls',
    );
    this.ready = tls;
    if (args.workloads) {
      const svc = createObject(`${name}-service`, gatewayService(c), { namespace }, ref);
      // The durable log's volume (docs/pulumi.md, Gateway): the pod waits for its claim.
      const data = createObject(`${name}-data`, gatewayDataClaim(), { namespace }, ref);
      this.ready = createObject(
        `${name}-deployment`,
        gatewayDeployment(c, args.gateway),
        { namespace, image: args.image },
        { ...ref, dependsOn: [tls, svc, data] },
      );
    }
    this.registerOutputs({});
  }
}
