// The answers of the /api routes, as zod schemas: Fastify serializes each
// answer through its route's schema, and /api/openapi.json documents them.
// Objects are loose (keys not named here pass through unchanged), so the
// schemas describe the keys clients rely on without dropping the rest.
import { z } from "zod";

const obj = <S extends z.core.$ZodLooseShape>(shape: S) => z.looseObject(shape);
const nullableString = () => z.string().nullable();

export const userAnswer = obj({
  id: z.number(),
  username: z.string(),
  email: nullableString(),
  fullName: nullableString(),
  role: z.enum(["payer", "member"]),
  payer: nullableString().describe("the payer's user name, for members"),
  tenant: nullableString(),
  sysadmin: z.boolean(),
  teamAdmin: z.boolean(),
  disabled: z.boolean(),
  external: z.boolean(),
  createdAt: z.string(),
  billingCode: z.number().nullable().optional().describe("payers: the billing code that groups tenants for administrator limits"),
});

export const vaultAnswer = obj({ id: z.number(), name: z.string(), kind: z.string() });
export const sharesAnswer = obj({ vault: z.number(), sharedWith: z.array(z.unknown()) });
export const metadataRowAnswer = obj({ id: z.number(), payer: z.string(), key: z.string(), value: z.string() });
export const zoneAnswer = obj({ id: z.number(), name: z.string() });
export const clusterAnswer = obj({
  id: z.number(),
  name: z.string(),
  zone: z.number().optional(),
  maxCpus: z.number().nullable().optional().describe("mL: a CPU limit L applies to the cluster's jobs as min(L, mL)"),
  kubeconfigSecret: z.string().nullable().optional().describe("a Secret in the system namespace whose key `kubeconfig` reaches the cluster"),
  kubeconfigPath: z.string().nullable().optional().describe("or a kubeconfig file on the control plane; neither: the cluster Paddock was started with"),
  jobsNamespace: z.string().nullable().optional().describe("where its job pods go; null: jarvice.JARVICE_JOBS_NAMESPACE"),
  reachable: z.boolean().nullable().optional().describe("whether it answered its last probe (null: not probed yet)"),
  unreachableReason: z.string().optional(),
  nodes: z.number().nullable().optional().describe("nodes it reports (null: unknown)"),
});
export const machineAnswer = obj({ id: z.number(), name: z.string() });
export const appAnswer = obj({ id: z.string(), appdef: z.unknown() });
export const jobAnswer = obj({ job_number: z.number() });
export const statusAnswer = obj({ status: z.string() });
