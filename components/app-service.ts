/**
 * One of the six apps on one cluster (docs/pulumi.md, Components: AppService): the Deployment (env per app
 * from the model, resources, probes, scrape annotations) and the dashboard's Service. Direct delivery only;
 * under GitOps Flux applies the same objects from the rendered tree.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { appDeployment, dashboardService, type AppNode, type StackConfig } from '../stacks';
import { createObject } from './k8s-object';

export interface AppServiceArgs {
  /** The typed stack. */
  config: StackConfig;
  /** The app as placed in the derived topology (name, cluster, env). */
  app: AppNode;
  /** Namespace of the workloads. */
  namespace: pulumi.Input<string>;
  /** Provider of the cluster. */
  provider: k8s.Provider;
  /** Image reference (digest when built); default the tag reference of the model. */
  image?: pulumi.Input<string>;
  /** Pod template annotations whose change must restart the app (e.g. the database password's). */
  podAnnotations?: Record<string, pulumi.Input<string>>;
}

export class AppService extends pulumi.ComponentResource {
  /** The app's Deployment. */
  readonly deployment: pulumi.CustomResource;

  constructor(name: string, args: AppServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super('cortex-iq:apps:AppService', name, {}, opts);
    const { config: c, provider, namespace, app } = args;
    const ref = { parent: this, provider };
    this.deployment = createObject(
      `${name}-deployment`,
      appDeployment(c, app),
      { namespace, image: args.image, podAnnotations: args.podAnnotations },
      ref,
    );
    if (app.app === 'dashboard') createObject(`${name}-service`, dashboardService(c), { namespace }, ref);
    this.registerOutputs({});
  }
}
