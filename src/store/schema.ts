// Row types of the database, as Kysely sees them (kept in step with migrations/).
import type { ColumnType, Generated, Selectable } from "kysely";

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export interface ZonesTable {
  id: Generated<number>;
  name: string;
  description: Generated<string>;
  created_at: CreatedAt;
}

export interface ClustersTable {
  id: Generated<number>;
  name: string;
  zone_id: number;
  description: Generated<string>;
  /** where jobs of this cluster run: "simulated" (embedded) or "kubernetes" */
  backend: Generated<string>;
  /** mL: when a CPU limit applies to a job on this cluster, the limit used is min(limit, mL); null for none (migration 0006) */
  max_cpus: number | null;
  /** a Secret in the system namespace whose key `kubeconfig` reaches this cluster (migration 0007) */
  kubeconfig_secret: string | null;
  /** or a kubeconfig file; neither: the cluster Paddock was started with */
  kubeconfig_path: string | null;
  /** its jobs namespace; null: jarvice.JARVICE_JOBS_NAMESPACE */
  jobs_namespace: string | null;
  created_at: CreatedAt;
}

export interface MachinesTable {
  id: Generated<number>;
  name: string;
  cluster_id: number;
  description: Generated<string>;
  cores: number;
  memory_gb: number;
  gpus: Generated<number>;
  /** how many of this machine fit on one node (a machine may be a fraction of a node) */
  per_node: Generated<number>;
  /** most nodes one job may use */
  max_nodes: Generated<number>;
  arch: Generated<string>;
  price: Generated<string>;
  node_selector: ColumnType<Record<string, string>, string | undefined, string>;
  /** Kubernetes tolerations of its pods (migration 0007) */
  tolerations: ColumnType<Array<{ key?: string; operator?: string; value?: string; effect?: string; tolerationSeconds?: number }>, string | undefined, string>;
  created_at: CreatedAt;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  email: Generated<string>;
  full_name: Generated<string>;
  payer_id: number | null;
  is_sysadmin: Generated<boolean>;
  is_team_admin: Generated<boolean>;
  disabled: Generated<boolean>;
  password_hash: string | null;
  apikey_hash: string;
  /** the API key sealed under the server key (accounts/sealing.ts), so its owner can see it again; null before migration 0008 */
  apikey_sealed: ColumnType<string | null, string | null | undefined, string | null>;
  external_subject: string | null;
  upn: string | null;
  sam: string | null;
  invited_by: number | null;
  /** a payer's billing code: groups tenants into tiers for administrator limits (migration 0006) */
  billing_code: number | null;
  created_at: CreatedAt;
}

export interface VaultsTable {
  id: Generated<number>;
  owner_id: number;
  name: string;
  kind: string;
  zone_id: number | null;
  is_default: Generated<boolean>;
  storage_class: string | null;
  volume_name: string | null;
  access_modes: Generated<string>;
  size_gb: number | null;
  subpath: string | null;
  nfs_server: string | null;
  nfs_path: string | null;
  created_at: CreatedAt;
}

export interface VaultSharesTable {
  vault_id: number;
  user_id: number;
  created_at: CreatedAt;
}

export interface PayerMetadataTable {
  id: Generated<number>;
  payer_id: number;
  key: string;
  value: string;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface SessionsTable {
  token_hash: string;
  user_id: number;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  /** the hash of the API key the session was made from; null for a password session */
  apikey_hash: string | null;
}

export interface AppsTable {
  id: string;
  /** the AppDef as given (text since migration 0008: jsonb reordered its keys); read it with parseAppDef (jobs/apps.ts) */
  appdef: string;
  public: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** bigint columns come back as strings from node-postgres; read them with Number(). */
type UnixSeconds = ColumnType<string | number, number, number>;

export interface JobsTable {
  number: Generated<number>;
  name: string;
  owner_id: number;
  tenant_id: number;
  /** the app's id (its name; kept when the app is deleted) */
  app_id: string;
  /** the app row, while it exists (migration 0008: set null when the app is deleted) */
  app_ref: ColumnType<string | null, string | null | undefined, string | null>;
  command: string;
  argv: ColumnType<string[], string, string>;
  parameters: ColumnType<Record<string, unknown>, string | undefined, string>;
  env: ColumnType<Record<string, string>, string | undefined, string>;
  /** null once the machine type is deleted (migration 0008); machine_name keeps its name */
  machine_id: number | null;
  machine_name: Generated<string>;
  nodes: number;
  vault_id: number | null;
  vault_readonly: Generated<boolean>;
  ipaddr_tag: string | null;
  ipaddr_value: string | null;
  status: string;
  substatus: Generated<number>;
  substatus_text: Generated<string>;
  submit_time: UnixSeconds;
  start_time: ColumnType<string | number, number | undefined, number>;
  end_time: ColumnType<string | number, number | undefined, number>;
  walltime: Generated<string>;
  job_label: Generated<string>;
  job_project: Generated<string>;
  licenses: Generated<string>;
  submission: ColumnType<Record<string, unknown>, string, string>;
  exitcode: number | null;
  output: string | null;
  stop_requested: "shutdown" | "terminate" | null;
  /** SUBMITTED and waiting for its Limits (spec/limits-and-queues.md): no pods until released (migration 0006) */
  held: Generated<boolean>;
  created_at: CreatedAt;
}

/** An admission limit (migration 0006): see migrations/0006_limits.ts for the scopes. */
export interface LimitsTable {
  id: Generated<number>;
  scope: "payer" | "billing" | "team" | "user";
  payer_id: number | null;
  user_id: number | null;
  billing_from: number | null;
  billing_to: number | null;
  cpus: number | null;
  machines: ColumnType<Record<string, { jobs?: number; nodes?: number }>, string | undefined, string>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** Who owns an IP-address label value: the first user whose job used it (migration 0005). */
export interface IpaddrOwnersTable {
  value: string;
  owner_id: number;
  created_at: CreatedAt;
}

export interface JobPodsTable {
  job_number: number;
  pod_index: number;
  name: string;
  phase: string;
  node: string | null;
  ip: string | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface Database {
  apps: AppsTable;
  jobs: JobsTable;
  job_pods: JobPodsTable;
  ipaddr_owners: IpaddrOwnersTable;
  limits: LimitsTable;
  zones: ZonesTable;
  clusters: ClustersTable;
  machines: MachinesTable;
  users: UsersTable;
  vaults: VaultsTable;
  vault_shares: VaultSharesTable;
  payer_metadata: PayerMetadataTable;
  sessions: SessionsTable;
}

export type UserRow = Selectable<UsersTable>;
export type VaultRow = Selectable<VaultsTable>;
export type MachineRow = Selectable<MachinesTable>;
export type JobRow = Selectable<JobsTable>;
export type AppRow = Selectable<AppsTable>;
