// The pods of a job, as a pure function: N pods, index 0..N-1, the machine's
// resource requests, schedulerName jarvice-pod-scheduler, and labels that
// identify job, user, tenant and index, and the job's wall time as
// activeDeadlineSeconds (Kubernetes ends a pod that outlives it; the pod
// scheduler may count on it). The tenant label is what the pod
// scheduler and the NetworkPolicies key on; user input never sets it (the
// identity labels are written last, over anything else).
import { JOB_IPADDR_LABEL, POD0_IPADDR_LABEL } from "./ipaddr";
import type { PodVolume, VolumeMount } from "./vaultVolumes";

export const POD_SCHEDULER_NAME = "jarvice-pod-scheduler";
export const LABEL_JOB_NUMBER = "jarvice-job-number";
export const LABEL_USER = "jarvice-user";
export const LABEL_TENANT = "jarvice-tenant";
export const LABEL_POD_INDEX = "jarvice-pod-index";
export const LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
export const MANAGED_BY = "paddock";
export const GPU_RESOURCE = "nvidia.com/gpu";
/** how many pods the job has: jarvice-pod-scheduler places them all together or none */
export const ANNOTATION_JOB_PODS = "paddock.io/job-pods";

export interface MachineShape {
  name: string;
  cores: number;
  memoryGb: number;
  gpus: number;
  nodeSelector: Record<string, string>;
  /** the machine type's tolerations (tainted pools, e.g. GPU nodes) */
  tolerations?: readonly PodToleration[] | undefined;
}

export interface JobForPlan {
  number: number;
  username: string;
  /** the payer's user name: the tenant */
  tenant: string;
  image: string;
  command: string[];
  env?: Record<string, string>;
  machine: MachineShape;
  nodes: number;
  /** the full `<username>-<tag>` label value, when the job has a tag */
  ipaddr?: string | undefined;
  namespace: string;
  /** simulated clusters: how long the command runs */
  durationSeconds?: number | undefined;
  /** the submission's application.walltime ("HH:MM" or "HH:MM:SS"); empty or absent: no limit */
  walltime?: string | undefined;
  /** the job's vault (src/core/vaultVolumes.ts), mounted in every pod */
  vault?: { volume: PodVolume; mount: VolumeMount; oneNode: boolean } | undefined;
}

/** The well-known node label a required pod affinity on one node keys on. */
export const HOSTNAME_TOPOLOGY = "kubernetes.io/hostname";

/** A Kubernetes toleration (a machine type's, as stored). */
export interface PodToleration {
  key?: string;
  operator?: "Equal" | "Exists";
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface PodAffinity {
  podAntiAffinity?: unknown;
  podAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution: Array<{ labelSelector: { matchLabels: Record<string, string> }; topologyKey: string }>;
  };
}

export interface PlannedPod {
  apiVersion: "v1";
  kind: "Pod";
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    schedulerName: string;
    restartPolicy: "Never";
    hostname: string;
    /** the job's wall time: Kubernetes fails the pod (reason DeadlineExceeded) this long after it started on its node */
    activeDeadlineSeconds?: number;
    nodeSelector?: Record<string, string>;
    tolerations?: PodToleration[];
    /** all of a job's pods on one node (a ReadWriteOnce vault): jarvice-pod-scheduler honours it for the whole gang */
    affinity?: PodAffinity;
    volumes?: PodVolume[];
    containers: Array<{
      name: string;
      image: string;
      command: string[];
      env: Array<{ name: string; value: string }>;
      resources: { requests: Record<string, string>; limits: Record<string, string> };
      volumeMounts?: VolumeMount[];
    }>;
  };
}

/**
 * A job's wall time in seconds: "HH:MM" or "HH:MM:SS" (hours unbounded, as
 * submissions are validated). Undefined for no limit: empty, zero (Kubernetes
 * requires a positive deadline) or not in that form (stored before validation).
 */
export function walltimeSeconds(walltime: string | undefined): number | undefined {
  const m = /^(\d+):([0-5]\d)(?::([0-5]\d))?$/.exec(walltime ?? "");
  if (!m) return undefined;
  const seconds = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
  return seconds > 0 ? seconds : undefined;
}

export const podName = (jobNumber: number, index: number): string => `jarvice-job-${jobNumber}-${index}`;

export function jobPodLabels(job: Pick<JobForPlan, "number" | "username" | "tenant" | "ipaddr">, index: number): Record<string, string> {
  return {
    [LABEL_MANAGED_BY]: MANAGED_BY,
    [LABEL_JOB_NUMBER]: String(job.number),
    [LABEL_USER]: job.username,
    [LABEL_TENANT]: job.tenant,
    [LABEL_POD_INDEX]: String(index),
    ...(job.ipaddr ? { [JOB_IPADDR_LABEL]: job.ipaddr } : {}),
    ...(job.ipaddr && index === 0 ? { [POD0_IPADDR_LABEL]: job.ipaddr } : {}),
  };
}

export function podPlan(job: JobForPlan): PlannedPod[] {
  const requests: Record<string, string> = { cpu: String(job.machine.cores), memory: `${job.machine.memoryGb}Gi` };
  const limits: Record<string, string> = { ...requests };
  if (job.machine.gpus > 0) {
    requests[GPU_RESOURCE] = String(job.machine.gpus);
    limits[GPU_RESOURCE] = String(job.machine.gpus);
  }
  const env = Object.entries({
    ...(job.env ?? {}),
    JARVICE_JOB_NUMBER: String(job.number),
    JARVICE_NODES: String(job.nodes),
  }).map(([name, value]) => ({ name, value }));
  const deadline = walltimeSeconds(job.walltime);
  const tolerations = job.machine.tolerations ?? [];
  const vault = job.vault;
  const oneNode = vault?.oneNode === true && job.nodes > 1;
  return Array.from({ length: job.nodes }, (_, index) => ({
    apiVersion: "v1" as const,
    kind: "Pod" as const,
    metadata: {
      name: podName(job.number, index),
      namespace: job.namespace,
      labels: jobPodLabels(job, index),
      annotations: {
        "paddock.io/machine": job.machine.name,
        [ANNOTATION_JOB_PODS]: String(job.nodes),
        ...(job.durationSeconds !== undefined ? { "paddock.io/simulated-duration": String(job.durationSeconds) } : {}),
      },
    },
    spec: {
      schedulerName: POD_SCHEDULER_NAME,
      restartPolicy: "Never" as const,
      hostname: podName(job.number, index),
      ...(deadline !== undefined ? { activeDeadlineSeconds: deadline } : {}),
      ...(Object.keys(job.machine.nodeSelector).length > 0 ? { nodeSelector: { ...job.machine.nodeSelector } } : {}),
      ...(tolerations.length > 0 ? { tolerations: tolerations.map((t) => ({ ...t })) } : {}),
      ...(oneNode ? { affinity: sameNodeAffinity(job.number) } : {}),
      ...(vault ? { volumes: [structuredClone(vault.volume)] } : {}),
      containers: [
        {
          name: "job",
          image: job.image,
          command: job.command,
          env: [...env.filter((e) => e.name !== "JARVICE_POD_INDEX"), { name: "JARVICE_POD_INDEX", value: String(index) }],
          resources: { requests: { ...requests }, limits: { ...limits } },
          ...(vault ? { volumeMounts: [{ ...vault.mount }] } : {}),
        },
      ],
    },
  }));
}

/** Required pod affinity of a job's pods to each other on one node (what a ReadWriteOnce vault needs). */
export function sameNodeAffinity(jobNumber: number): PodAffinity {
  return {
    podAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { [LABEL_JOB_NUMBER]: String(jobNumber) } }, topologyKey: HOSTNAME_TOPOLOGY }],
    },
  };
}
