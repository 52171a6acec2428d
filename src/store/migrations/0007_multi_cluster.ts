// Several clusters and tainted pools (issue 13):
//  - clusters.kubeconfig_secret: the name of a Secret in the system namespace
//    whose `kubeconfig` key says how to reach the cluster (Helm installs);
//    clusters.kubeconfig_path: a kubeconfig file instead (npm start, tests).
//    Neither set: the cluster Paddock was started with (the embedded simulated
//    cluster, or the kubeconfig of PADDOCK_CLUSTER=kubernetes).
//  - clusters.jobs_namespace: where its job pods, vault claims and NetworkPolicies
//    go; null: jarvice.JARVICE_JOBS_NAMESPACE.
//  - machines.tolerations: Kubernetes tolerations of the machine type's pods
//    (GPU pools are usually tainted), beside its node selector.
import { sql, type Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("clusters")
    .addColumn("kubeconfig_secret", "text")
    .addColumn("kubeconfig_path", "text")
    .addColumn("jobs_namespace", "text")
    .execute();
  await db.schema
    .alterTable("machines")
    .addColumn("tolerations", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("machines").dropColumn("tolerations").execute();
  await db.schema.alterTable("clusters").dropColumn("jobs_namespace").dropColumn("kubeconfig_path").dropColumn("kubeconfig_secret").execute();
}
